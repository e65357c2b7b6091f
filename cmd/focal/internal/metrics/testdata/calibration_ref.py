#!/usr/bin/env python3
"""Writes calibration_ref.json: random cases scored by an independent numpy
implementation of the calibration metrics of Guo et al. (ICML 2017) and
Mukhoti et al. (NeurIPS 2020), for calibration_reference_test.go.

Run it from this directory with numpy installed: python3 calibration_ref.py
The Go tests read the JSON it writes and never run Python.

Definitions (the Go doc comments are the specification):
  equal-width bins  (k/n, (k+1)/n], the first also holding 0, each tested
                    by comparison with the edges, one bin at a time;
  equal-mass bins   edges np.interp(linspace(0, N, n+1), arange(N), sort(x))
                    and membership as np.histogram takes it: [e_j, e_{j+1}),
                    the last bin closed;
  the published     the same edges tested as (e_j, e_{j+1}], as the adaptive
  adaptive loop     ECE of Mukhoti et al.'s code does (kept to bound the
                    difference).
"""
import json

import numpy as np

BINS = 15
NLL_FLOOR = 2.0**-52


def equal_width(conf, outcome, n):
    """Returns (ECE, MCE) over n equal-width bins."""
    edges = np.arange(n + 1) / n
    ece, mce = 0.0, 0.0
    for k in range(n):
        in_bin = (conf > edges[k]) & (conf <= edges[k + 1])
        if k == 0:
            in_bin |= conf == 0
        if in_bin.any():
            gap = abs(outcome[in_bin].mean() - conf[in_bin].mean())
            ece += in_bin.mean() * gap
            mce = max(mce, gap)
    return ece, mce


def equal_mass_edges(conf, n):
    return np.interp(np.linspace(0, len(conf), n + 1), np.arange(len(conf)), np.sort(conf))


def adaptive_ece(conf, outcome, n):
    """Σ_b |Σ_{i∈b} (o_i − c_i)| / N over np.histogram's equal-mass bins."""
    edges = equal_mass_edges(conf, n)
    count, _ = np.histogram(conf, edges)
    assert count.sum() == len(conf)
    sum_conf, _ = np.histogram(conf, edges, weights=conf)
    hits, _ = np.histogram(conf, edges, weights=outcome.astype(float))
    return np.abs(hits - sum_conf).sum() / len(conf)


def adaptive_ece_lo_open(conf, outcome, n):
    edges = equal_mass_edges(conf, n)
    ece = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        in_bin = (conf > lo) & (conf <= hi)
        if in_bin.any():
            ece += in_bin.mean() * abs(outcome[in_bin].mean() - conf[in_bin].mean())
    return ece


def classwise_ece(probs, labels, n):
    return float(np.mean([equal_width(probs[:, c], labels == c, n)[0] for c in range(probs.shape[1])]))


def nll(probs, labels):
    return float(-np.log(np.maximum(probs[np.arange(len(labels)), labels], NLL_FLOOR)).mean())


def brier(probs, labels):
    onehot = np.eye(probs.shape[1])[labels]
    return float(((probs - onehot) ** 2).sum(axis=1).mean())


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sample(rng, probs):
    """One label per row drawn from the row's distribution."""
    u = rng.random(len(probs))[:, None]
    return np.minimum((probs.cumsum(axis=1) < u).sum(axis=1), probs.shape[1] - 1)


def multiclass_case(name, probs, labels):
    conf, pred = probs.max(axis=1), probs.argmax(axis=1)  # argmax: first maximum
    correct = pred == labels
    ece, mce = equal_width(conf, correct, BINS)
    return {
        "name": name,
        "classes": probs.shape[1],
        "probs": probs.ravel().tolist(),
        "labels": labels.tolist(),
        "ece": ece,
        "mce": mce,
        "adaptive_ece": adaptive_ece(conf, correct, BINS),
        "adaptive_ece_lo_open": adaptive_ece_lo_open(conf, correct, BINS),
        "classwise_ece": classwise_ece(probs, labels, BINS),
        "nll": nll(probs, labels),
        "brier": brier(probs, labels),
    }


def binary_case(name, p, y):
    ece, mce = equal_width(p, y, BINS)
    two = np.stack([1 - p, p], axis=1)
    labels = y.astype(int)
    return {
        "name": name,
        "p": p.tolist(),
        "y": y.tolist(),
        "ece": ece,
        "mce": mce,
        "adaptive_ece": adaptive_ece(p, y, BINS),
        "adaptive_ece_lo_open": adaptive_ece_lo_open(p, y, BINS),
        "classwise_ece": classwise_ece(two, labels, BINS),
        "nll": nll(two, labels),
        "brier": float(((p - y) ** 2).mean()),
    }


def main():
    rng = np.random.default_rng(7)
    multiclass = []

    probs = softmax(2 * rng.standard_normal((30, 3)))
    multiclass.append(multiclass_case("30 examples, 3 classes: 15 bins of 2", probs, sample(rng, probs)))

    probs = softmax(3 * rng.standard_normal((97, 5)))
    flat = softmax(np.log(probs) / 2)  # labels from a flatter truth: overconfident
    multiclass.append(multiclass_case("97 examples, 5 classes, overconfident", probs, sample(rng, flat)))

    protos = softmax(2 * rng.standard_normal((5, 10)))
    protos = np.vstack([protos, np.r_[0.5, 0.5, np.zeros(8)]])  # a tie, and zeros
    probs = protos[rng.integers(0, len(protos), 200)]
    multiclass.append(multiclass_case("200 examples, 10 classes, 6 distinct rows", probs, rng.integers(0, 10, 200)))

    probs = softmax(rng.standard_normal((7, 2)))
    multiclass.append(multiclass_case("7 examples, 2 classes: fewer than the bins", probs, sample(rng, probs)))

    binary = []
    p = rng.random(50)
    binary.append(binary_case("50 examples, true rate p^1.5 below p", p, rng.random(50) < p**1.5))
    p = rng.choice([0.1, 0.25, 0.5, 0.75, 0.9], 64)
    binary.append(binary_case("64 examples, 5 distinct probabilities", p, rng.random(64) < p))

    with open("calibration_ref.json", "w") as f:
        json.dump({"bins": BINS, "nll_floor": NLL_FLOOR, "multiclass": multiclass, "binary": binary}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
