"""Train seed 004's own model (tests/fixtures/pytorch-counting/seed004.py: the seed's TensorFlow model in
PyTorch, TF initialisers and Adam) with the seed's defaults and measure how exact its counts are on fresh
samples: the reference beside smallscope's numbers in docs/reproduction.md. Not a test. Debian's python3:

    /usr/bin/python3 bench/counting-exact/torch_seed004.py [--self-att] [--steps 1000] [--lr 1e-2]
        [--schedule constant|cosine] [--seeds 1,2,3] [--eval 10000]

Prints one JSON line per seed: final training loss, output steps wrong %, samples with a wrong step %, and
the wrong % of each output step, on `--eval` fresh samples (their own random stream).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/fixtures/pytorch-counting"))
from seed004 import Seed004, TfAdam, batch, one_hot  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--self-att", action="store_true")
p.add_argument("--steps", type=int, default=1000)
p.add_argument("--batch", type=int, default=100)
p.add_argument("--lr", type=float, default=1e-2)
p.add_argument("--schedule", choices=["constant", "cosine"], default="constant")
p.add_argument("--hidden", type=int, default=64)
p.add_argument("--seeds", default="1,2,3")
p.add_argument("--eval", type=int, default=10000)
a = p.parse_args()
torch.set_num_threads(1)

for seed in [int(s) for s in a.seeds.split(",")]:
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    model = Seed004(hidden=a.hidden, self_att=a.self_att)
    opt = TfAdam(model.parameters(), lr=a.lr)
    t0 = time.time()
    for step in range(a.steps):
        if a.schedule == "cosine":  # smallscope's --schedule cosine --warmup 0: a half cosine from lr to 0
            for g in opt.param_groups:
                g["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * step / a.steps))
        idx, y = batch(rng, a.batch)
        logits, _ = model(one_hot(idx))
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), torch.as_tensor(y).reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        idx, y = batch(np.random.RandomState(10_000 + seed), a.eval)
        pred = model(one_hot(idx))[0].argmax(-1).numpy()
    wrong = pred != y
    print(json.dumps({
        "seed": seed,
        "self_att": a.self_att,
        "steps": a.steps,
        "lr": a.lr,
        "schedule": a.schedule,
        "loss": round(float(loss), 4),
        "steps_wrong_pct": round(100 * wrong.mean(), 3),
        "samples_wrong_pct": round(100 * wrong.any(1).mean(), 3),
        "per_step_wrong_pct": [round(100 * w, 3) for w in wrong.mean(0)],
        "train_s": round(time.time() - t0, 1),
    }), flush=True)
