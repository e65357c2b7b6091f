"""PyTorch side of `focal bench`: the sigmoid focal loss, forward and
backward, in torchvision.ops.sigmoid_focal_loss and in the FocalLoss class of
the tutorial "Focal Loss的理解" (Understanding Focal Loss), on the workload of
the Go benchmark.

Workload (as focal bench's Go side): n float32 logits ~ N(0, 3²), hard
targets with 1% positives, α = 0.25, γ = 2; per call the per-element loss
(reduction "none") and the gradient of its sum divided by max(1, positives)
(RetinaNet's normalisation), i.e. loss + gradient.

Prints one JSON object per line: first the versions and thread count, then
{"impl", "n", "times_ns"} per implementation and size (every repeat's
wall time of one forward + backward, after warm-up calls).

    python3 torch_bench.py --sizes 196608,8000000 --repeats 7 --threads 2
"""
import argparse
import os
import sys

import torch
import torchvision
from torchvision.ops import sigmoid_focal_loss

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_timing import emit, parse_timing, times_ns  # noqa: E402
from tutorial_focal_loss import FocalLoss  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="196608,8000000")
    args = parse_timing(ap, repeats=7, warmup=2)
    emit(torch=torch.__version__, torchvision=torchvision.__version__, threads=torch.get_num_threads())
    tutorial = FocalLoss(alpha=0.25, gamma=2, reduction="none")
    impls = {
        "torchvision": lambda x, t: sigmoid_focal_loss(x, t, alpha=0.25, gamma=2, reduction="none"),
        "tutorial": tutorial,
    }
    for n in [int(s) for s in args.sizes.split(",") if s]:
        g = torch.Generator().manual_seed(1)
        x = (torch.randn(n, generator=g) * 3).requires_grad_(True)
        t = (torch.rand(n, generator=g) < 0.01).float()
        npos = max(1.0, float(t.sum()))
        for name, fn in impls.items():
            def clear_grad():
                x.grad = None

            def forward_backward():
                (fn(x, t).sum() / npos).backward()

            emit(impl=name, n=n, times_ns=times_ns(args, forward_backward, before=clear_grad))


if __name__ == "__main__":
    main()
