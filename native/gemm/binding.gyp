{
  "targets": [
    {
      "target_name": "smallscope_gemm",
      "sources": ["src/addon.cc", "src/gemm.cc", "src/ops.cc", "src/conv.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
