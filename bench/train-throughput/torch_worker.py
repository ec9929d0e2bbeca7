"""PyTorch side of bench/train-throughput: a warm worker. For each JSON line on stdin it builds (or reuses) the
reference model of a configuration (the seed's own classes from the reference models.py), trains it for
`steps` AdamW steps on random byte windows of the given batch and sequence length (same shapes as
smallscope's run) and prints the elapsed seconds. The thread count is fixed once, at start-up.

The reference is the best PyTorch this machine runs (issue #18): OpenBLAS behind libblas.so.3 (reported in the
ready line, which the bench checks), denormals flushed, and the attention products on contiguous operands
(torch 1.13 runs `q @ k.transpose(1, 2)` on strided views through a slow per-matrix bmm path: 92% of seed 000's
step until k^T is made contiguous), and OpenBLAS held to the bench's thread count: torch.set_num_threads does not
reach a BLAS that torch was not built against (Debian's torch calls the generic libblas.so.3), so OpenBLAS kept one
thread per core, and at 1 thread the reference ran its products on 2 (measured: seed 002 Attn-Attn d=384, torch bmm
572 ms of CPU per step with OpenBLAS's 2 threads against 119 ms with 1, while another job held the second core).
A {"gemm": [[m, n, k], ...], "threads": t} line measures the sgemm peak instead."""
import ctypes
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

ref = sys.argv[1]
threads = int(sys.argv[2])
sys.path.insert(0, f"{ref}/src")
import models  # noqa: E402
from models import AttnAttn, ConvAttn  # noqa: E402

torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
torch.set_flush_denormal(True)
torch.manual_seed(0)


def causal_attention_contiguous(x, q_proj, k_proj, v_proj, D):
    """models.causal_attention with K^T materialised before the product (same values, fast bmm path)."""
    q = q_proj(x)
    k = k_proj(x)
    v = v_proj(x)
    scores = torch.matmul(q, k.transpose(-2, -1).contiguous()) / math.sqrt(D)
    T = x.shape[1]
    idx = torch.arange(T, device=x.device)
    future = idx.unsqueeze(0) > idx.unsqueeze(1)
    scores = scores.masked_fill(future, float("-inf"))
    attn = torch.softmax(scores, dim=-1)
    return torch.matmul(attn, v), attn


# ConvAttn and AttnBlock look the function up in their module at call time
models.causal_attention = causal_attention_contiguous


def blas_library():
    """The BLAS shared object this process has mapped (after one product), resolved through its symlinks."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    with open("/proc/self/maps") as f:
        paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    return sorted(os.path.realpath(p) for p in paths)


def set_threads(t):
    """t threads for torch's own kernels and for OpenBLAS (openblas_set_num_threads on the mapped library)."""
    torch.set_num_threads(t)
    for path in BLAS:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_set_num_threads"):
            lib.openblas_set_num_threads(t)


def blas_threads():
    """OpenBLAS's thread count as it reports it, or None when no mapped library is OpenBLAS."""
    for path in BLAS:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_get_num_threads"):
            return lib.openblas_get_num_threads()
    return None


def blas_core():
    """The kernel family OpenBLAS chose for this CPU (e.g. Haswell, SkylakeX, Cooperlake), or None."""
    for path in BLAS:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
    return None


def sgemm_gflops(shapes, t, seconds=1.0):
    """Best rate over `shapes` ([m, n, k] each) of repeated torch.mm on contiguous float32 operands, t threads,
    in GFLOP/s (each shape run for `seconds` of wall time after a warm-up, as bench/train-throughput/gemm-peak.ts
    runs smallscope's)."""
    set_threads(t)
    best = 0.0
    for m, n, k in shapes:
        a, b = torch.randn(m, k), torch.randn(k, n)
        torch.mm(a, b)
        count, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            torch.mm(a, b)
            count += 1
        best = max(best, 2 * m * n * k * count / (time.perf_counter() - t0) / 1e9)
    return best


class ConvStack(torch.nn.Module):
    """smallscope's conv-stack (training/arch/conv-stack/spec.ts) in PyTorch: embedding E; per layer an
    optional LayerNorm (norm 'layer', all but the last layer), a dilated 'same' Conv1d(C, m*C, k), then
    y = conv (attn 0), single-head QK attention with values = the layer input ('T'), or nn.MultiheadAttention
    (n heads) on the conv's q, k, v; x <- relu(y) + x; logits = x E^T (tied head)."""

    def __init__(self, C, K, dilations, attn, norm):
        super().__init__()
        nn = torch.nn
        self.C, self.attn = C, attn
        self.emb = nn.Embedding(256, C)
        L = len(dilations)
        self.norms = nn.ModuleList(
            [nn.LayerNorm(C) if norm == "layer" and l < L - 1 else nn.Identity() for l in range(L)]
        )
        mult = lambda a: 2 if a == "T" else (1 if a == 0 else 3)  # noqa: E731
        self.convs = nn.ModuleList(
            [nn.Conv1d(C, mult(a) * C, K, dilation=d, padding=(K - 1) // 2 * d) for a, d in zip(attn, dilations)]
        )
        self.mha = nn.ModuleList(
            [nn.MultiheadAttention(C, a, batch_first=True) if a not in (0, "T") else nn.Identity() for a in attn]
        )

    def forward(self, tokens):
        x = self.emb(tokens)  # [B, T, C]
        for l, a in enumerate(self.attn):
            xin = self.norms[l](x)
            y = self.convs[l](xin.transpose(1, 2)).transpose(1, 2)  # [B, T, m*C]
            C = self.C
            if a == "T":
                q, k = y[..., :C].contiguous(), y[..., C : 2 * C].transpose(1, 2).contiguous()
                p = torch.softmax(q @ k / C**0.5, dim=-1)
                y = p @ xin
            elif a != 0:
                y = self.mha[l](y[..., :C], y[..., C : 2 * C], y[..., 2 * C :], need_weights=False)[0]
            x = F.relu(y) + x
        return x @ self.emb.weight.t()


def build(cfg):
    arch = cfg["arch"]
    if arch == "conv-attn":
        return ConvAttn(cfg["d_model"])
    if arch == "attn-attn":
        return AttnAttn(cfg["d_model"])
    if arch == "conv-stack":
        return ConvStack(cfg["d_model"], cfg["kernel"], cfg["dilation"], cfg["attn"], cfg["norm"])
    raise ValueError(arch)


BLAS = blas_library()
set_threads(threads)
models = {}
print(
    json.dumps(
        {
            "ready": True,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "blas": BLAS,
            "blas_threads": blas_threads(),
            "blas_core": blas_core(),
        }
    ),
    flush=True,
)
for line in sys.stdin:
    msg = json.loads(line)
    if "gemm" in msg:
        print(json.dumps({"gflops": sgemm_gflops(msg["gemm"], msg["threads"])}), flush=True)
        continue
    cfg = msg["config"]
    key = json.dumps(cfg, sort_keys=True)
    if key not in models:
        m = build(cfg)
        models[key] = (m, torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=0.01))
    model, opt = models[key]
    # Every request sets its own thread count (default: the worker's); the bench tries 1 and 2 and keeps the faster.
    set_threads(msg.get("threads", threads))
    B, T = cfg["batch"], cfg["seq_len"]
    data = torch.randint(0, 256, (msg["steps"], B, T + 1))
    t0 = time.perf_counter()
    c0 = time.process_time()
    for s in range(msg["steps"]):
        x, y = data[s, :, :T], data[s, :, 1:]
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(B * T, 256), y.reshape(B * T))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        last = loss.item()
    sec = time.perf_counter() - t0
    cpu = time.process_time() - c0  # all threads of this process
    print(json.dumps({"seconds": sec, "cpu_seconds": cpu, "loss": last}), flush=True)
