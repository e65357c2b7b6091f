"""NumPy/PyTorch side of `focal bench`'s streamed rows: the .npy pair that
`focal loss` reads, loaded whole by numpy.load and reduced by
torchvision.ops.sigmoid_focal_loss (α = 0.25, γ = 2, mean), end to end in
this process.

Prints one JSON object per line: first the versions, then {"impl",
"times_ns", "maxrss_kb"} for "load" (numpy.load of both files) and
"torchvision" (load + the loss), every repeat's wall time after warm-up.

    python3 stream_bench.py --logits x.npy --targets t.npy --repeats 3
"""
import argparse
import resource

import numpy as np
import torch
import torchvision
from torchvision.ops import sigmoid_focal_loss

from bench_timing import emit, parse_timing, times_ns


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logits", required=True)
    ap.add_argument("--targets", required=True)
    args = parse_timing(ap, repeats=3, warmup=1)
    emit(torch=torch.__version__, torchvision=torchvision.__version__, numpy=np.__version__)

    def load():
        return np.load(args.logits), np.load(args.targets)

    def loss():
        x, t = load()
        return float(sigmoid_focal_loss(torch.from_numpy(x), torch.from_numpy(t),
                                        alpha=0.25, gamma=2, reduction="mean"))

    for name, fn in (("load", load), ("torchvision", loss)):
        times = times_ns(args, fn)
        emit(impl=name, times_ns=times, maxrss_kb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


if __name__ == "__main__":
    main()
