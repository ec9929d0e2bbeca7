"""PyTorch side of bench/probe-speed: a warm worker. Loads the reference Conv-Attn model once, then for each
line on stdin runs one eager forward pass on the given tokens that captures the attention
(forward(tokens, return_attn=True)), and prints the elapsed milliseconds."""
import json
import sys
import time

import torch

ref = sys.argv[1]
threads = int(sys.argv[2])
sys.path.insert(0, f"{ref}/src")
from models import ConvAttn  # noqa: E402

torch.set_num_threads(threads)
model = ConvAttn(64)
model.load_state_dict(torch.load(f"{ref}/conv_attn/conv_attn.pt", map_location="cpu"))
model.eval()
tokens = None
print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    if "tokens" in msg:
        tokens = torch.tensor(msg["tokens"], dtype=torch.int64)
        print(json.dumps({"ok": True}), flush=True)
        continue
    with torch.no_grad():
        t0 = time.perf_counter()
        logits, attn = model(tokens, return_attn=True)
        ms = (time.perf_counter() - t0) * 1000
    print(json.dumps({"ms": ms, "attn_sum": float(attn[0].sum())}), flush=True)
