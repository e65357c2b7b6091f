"""What the Python scripts of `focal bench` share: their timing flags and
the JSON lines they print (see script.go for the Go side that reads them).
"""
import json
import time

import torch


def parse_timing(ap, repeats, warmup):
    """Adds --repeats, --warmup and --threads (defaults: the given counts
    and torch's threads) to the parser ap, parses the command line and sets
    torch's thread count; returns the arguments."""
    ap.add_argument("--repeats", type=int, default=repeats)
    ap.add_argument("--warmup", type=int, default=warmup)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    return args


def emit(**fields):
    """Prints fields as one JSON line, at once."""
    print(json.dumps(fields), flush=True)


def times_ns(args, call, before=None):
    """Returns the wall time of call() for each of args.repeats calls after
    args.warmup untimed ones; before(), when given, runs untimed before
    every call."""
    times = []
    for i in range(args.warmup + args.repeats):
        if before:
            before()
        start = time.perf_counter_ns()
        call()
        elapsed = time.perf_counter_ns() - start
        if i >= args.warmup:
            times.append(elapsed)
    return times
