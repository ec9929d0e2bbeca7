"""bench/large-model: a GPT-2-style model of 8 layers x 16 heads, d_model 512, vocabulary 50,257 (random
weights, seeded), exported by torch.onnx with Hugging Face-style inputs (input_ids + attention_mask), beside
GPT-2's byte-level BPE tokenizer.json (written by tokenizer.ts). Not committed: about 200 MB.

  /usr/bin/python3 bench/large-model/make.py OUT_DIR      (Debian python3-torch 1.13; ~1 min)"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/fixtures/pytorch-hf/src"))
import models  # noqa: E402  (the fixtures' GPT-2 written the Hugging Face way)

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
torch.set_num_threads(2)
model = models.GPT2(50257, d=512, heads=16, layers=8, n_ctx=1024)
with torch.no_grad():  # GPT-2's init scale, a little larger on the attention so the maps are not flat
    for name, p in model.named_parameters():
        if p.dim() >= 2:
            p.normal_(0, 0.08 if "c_attn" in name else 0.02)
model.eval()
ids = torch.randint(0, 50257, (1, 16))
torch.onnx.export(model, (ids, torch.ones_like(ids)), os.path.join(out, "large.onnx"),
                  input_names=["input_ids", "attention_mask"], output_names=["logits"], opset_version=14,
                  dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                                "logits": {0: "batch", 1: "sequence"}})
print("wrote", os.path.join(out, "large.onnx"), os.path.getsize(os.path.join(out, "large.onnx")), "bytes")
