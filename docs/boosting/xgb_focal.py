#!/usr/bin/env python3
"""Focal loss as an XGBoost objective, with the gradient and Hessian of `focal loss`.

Each boosting round writes the current margins and the labels to .npy files, runs

    focal loss --logits m.npy --targets y.npy --reduction none \
               --grad g.npy --hess h.npy --alpha -1 --gamma G [--min-hessian F | --clip-hessian]

and hands the per-row gradient and Hessian back to XGBoost as a custom objective.
The test average precision (AP) is compared with XGBoost's own binary:logistic
on the same imbalanced table, split and boosting parameters, over several seeds.

Needs Debian's python3-xgboost, python3-sklearn and python3-numpy (run with
/usr/bin/python3) and the focal command (`go build -o focal ./cmd/focal`).
Documentation only: no test depends on it. See docs/boosting.md.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import xgboost as xgb
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score
from sklearn.model_selection import train_test_split


def table(seed, rows, positives):
    """An imbalanced table: rows × 20 features, `positives` of them positive, 1% labels flipped."""
    x, y = make_classification(
        n_samples=rows, n_features=20, n_informative=6, n_redundant=4,
        weights=[1 - positives], flip_y=0.01, class_sep=0.8, random_state=seed)
    return train_test_split(x, y, test_size=0.5, stratify=y, random_state=seed)


def focal_objective(focal, workdir, gamma, hessian):
    """A custom objective whose gradient and Hessian come from `focal loss`."""
    m_path, y_path = os.path.join(workdir, "m.npy"), os.path.join(workdir, "y.npy")
    g_path, h_path = os.path.join(workdir, "g.npy"), os.path.join(workdir, "h.npy")
    extra = {"floor": ["--min-hessian", "1e-6"], "clip0": ["--clip-hessian"], "exact": []}[hessian]

    def objective(margins, dtrain):
        np.save(m_path, margins.astype(np.float64))
        np.save(y_path, dtrain.get_label().astype(np.float64))
        subprocess.run(
            [focal, "loss", "--logits", m_path, "--targets", y_path, "--reduction", "none",
             "--grad", g_path, "--hess", h_path, "--alpha", "-1", "--gamma", str(gamma)] + extra,
            check=True, stdout=subprocess.DEVNULL)
        return np.load(g_path), np.load(h_path)

    return objective


def run(args, seed, variant, focal, workdir):
    xtr, xte, ytr, yte = table(seed, args.rows, args.positives)
    name, start, gamma, hessian = variant
    base = 0.0  # p = 1/2, XGBoost's default base_score for binary:logistic
    if start == "prior":
        prior = ytr.mean()
        base = np.log(prior / (1 - prior))
    dtrain = xgb.DMatrix(xtr, label=ytr, base_margin=np.full(len(ytr), base))
    dtest = xgb.DMatrix(xte, label=yte, base_margin=np.full(len(yte), base))
    params = {"eta": args.eta, "max_depth": args.depth, "min_child_weight": args.min_child_weight,
              "tree_method": "hist", "seed": seed, "nthread": 2}
    if gamma is None:
        booster = xgb.train(dict(params, objective="binary:logistic"), dtrain, args.rounds)
    else:
        params["disable_default_eval_metric"] = 1
        booster = xgb.train(params, dtrain, args.rounds, obj=focal_objective(focal, workdir, gamma, hessian))
    margin = booster.predict(dtest, output_margin=True)
    return average_precision_score(yte, margin)


# (name, initial margin, γ or None for XGBoost's binary:logistic, Hessian)
VARIANTS = [
    ("binary:logistic (XGBoost)", "zero", None, None),
    ("focal γ=0, --min-hessian 1e-6", "zero", 0, "floor"),
    ("focal γ=1, --min-hessian 1e-6", "zero", 1, "floor"),
    ("focal γ=2, --min-hessian 1e-6", "zero", 2, "floor"),
    ("focal γ=2, --clip-hessian (floor 0)", "zero", 2, "clip0"),
    ("focal γ=2, exact Hessian", "zero", 2, "exact"),
    ("binary:logistic (XGBoost)", "prior", None, None),
    ("focal γ=2, --min-hessian 1e-6", "prior", 2, "floor"),
    ("focal γ=2, --clip-hessian (floor 0)", "prior", 2, "clip0"),
    ("focal γ=2, exact Hessian", "prior", 2, "exact"),
]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--focal", default="focal", help="the focal command (default: focal on PATH)")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--positives", type=float, default=0.02, help="fraction of positive rows")
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--eta", type=float, default=0.1)
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--min-child-weight", type=float, default=1, help="XGBoost's minimum Hessian sum of a leaf")
    p.add_argument("--start", choices=["both", "zero", "prior"], default="both",
                   help="initial margin of the runs: 0 (p = 1/2), the prior's logit, or both")
    args = p.parse_args()

    print(f"xgboost {xgb.__version__}; {args.rows} rows, {args.positives:.0%} positives, half for testing; "
          f"{args.rounds} rounds, eta {args.eta}, max_depth {args.depth}, "
          f"min_child_weight {args.min_child_weight}; seeds 1..{args.seeds}", file=sys.stderr)
    # The .npy files of each round go to memory when the system has /dev/shm.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=shm) as workdir:
        print("| start | objective | test AP, mean ± sd | Δ AP vs binary:logistic, paired | per seed |")
        print("|---|---|---|---|---|")
        baseline = {}
        for variant in VARIANTS:
            if args.start not in ("both", variant[1]):
                continue
            aps = np.array([run(args, seed, variant, args.focal, workdir) for seed in range(1, args.seeds + 1)])
            start = "p = ½" if variant[1] == "zero" else "p = prior"
            if variant[2] is None:
                baseline[variant[1]] = aps
            delta = aps - baseline[variant[1]]
            per = " ".join(f"{a:.3f}" for a in aps)
            print(f"| {start} | {variant[0]} | {mean_sd(aps)} | {mean_sd(delta, '+')} | {per} |", flush=True)


def mean_sd(v, sign=""):
    """mean ± sample standard deviation, or the value alone for one seed."""
    if len(v) == 1:
        return f"{v[0]:{sign}.3f}"
    return f"{np.mean(v):{sign}.3f} ± {np.std(v, ddof=1):.3f}"

if __name__ == "__main__":
    main()
