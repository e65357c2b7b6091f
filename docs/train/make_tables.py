#!/usr/bin/env python3
"""Export scikit-learn's bundled tables as CSV files for `focal train`.

    /usr/bin/python3 docs/train/make_tables.py [OUTDIR]

OUTDIR defaults to cmd/focal/internal/train/testdata/tables, where the files are
committed (about 480 kB in all) so that Go tests can train on them without
Python; running the script without an argument must leave `git status` clean.

For every table NAME it writes NAME.train.csv and NAME.test.csv: a header row,
the features (named as scikit-learn names them, spaces replaced by
underscores) and a last column `label`. Every table is split 75/25 with

    train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

on the full table (the committed copies were made with scikit-learn 1.2.1 and
numpy 1.24.2). Within each file the rows keep the table's original order.

Tables:
  digits              8x8 images, 64 pixel features (integers 0..16), label
                      0..9. A 10-class task, and ten one-vs-rest binary tasks
                      with `--positive D` on the same files.
  breast_cancer       Wisconsin diagnostic, 30 features. label 1 = malignant,
                      0 = benign, so `--positive 1` means malignant
                      (scikit-learn's own target codes malignant as 0).
  breast_cancer_rare  breast_cancer with one malignant row in ten kept, in the
                      train and in the test file alike, so that both have the
                      same imbalance (about 6% positive). Within each split of
                      breast_cancer, the malignant rows are counted in table
                      order from 0 and rows 0, 10, 20, ... are kept: 16 of 159
                      in train, 6 of 53 in test. The benign rows are those of
                      breast_cancer.
  wine                13 features, label 0, 1, 2 (cultivars). Three
                      one-vs-rest binary tasks with `--positive C`.

Values are written exactly (the shortest decimal that reads back as the same
float64; whole numbers without a decimal point).
"""

import csv
import os
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, load_wine
from sklearn.model_selection import train_test_split

RANDOM_STATE = 0
TEST_SIZE = 0.25
RARE_KEEP_EVERY = 10  # breast_cancer_rare keeps malignant rows 0, 10, 20, ... of each split
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_OUT = os.path.join(ROOT, "internal", "train", "testdata", "tables")


def fmt(v):
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def write(path, names, x, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(names) + ["label"])
        for row, label in zip(x, y):
            w.writerow([fmt(v) for v in row] + [str(int(label))])


def split(y):
    """Stratified 75/25 split; returns train and test row indices in table order."""
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=TEST_SIZE, stratify=y, random_state=RANDOM_STATE)
    return np.sort(tr), np.sort(te)


def thin_positives(rows, y, every):
    """Keeps every `every`-th positive row of rows (counted in table order from 0) and all negatives."""
    pos = rows[y[rows] == 1]
    keep = set(pos[::every].tolist())
    return np.array([r for r in rows if y[r] == 0 or r in keep])


def tables():
    """Yields (name, feature names, X, y, train rows, test rows)."""
    d = load_digits()
    tr, te = split(d.target)
    yield "digits", d.feature_names, d.data, d.target, tr, te

    b = load_breast_cancer()
    malignant = list(b.target_names).index("malignant")
    y = (b.target == malignant).astype(int)  # 1 = malignant
    names = [n.replace(" ", "_") for n in b.feature_names]
    tr, te = split(y)
    yield "breast_cancer", names, b.data, y, tr, te
    yield ("breast_cancer_rare", names, b.data, y,
           thin_positives(tr, y, RARE_KEEP_EVERY), thin_positives(te, y, RARE_KEEP_EVERY))

    w = load_wine()
    tr, te = split(w.target)
    yield "wine", [n.replace(" ", "_") for n in w.feature_names], w.data, w.target, tr, te


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print("usage: make_tables.py [OUTDIR]", file=sys.stderr)
        return 2
    out = argv[1] if len(argv) == 2 else DEFAULT_OUT
    os.makedirs(out, exist_ok=True)
    total = 0
    for name, names, x, y, tr, te in tables():
        for part, rows in (("train", tr), ("test", te)):
            path = os.path.join(out, "%s.%s.csv" % (name, part))
            write(path, names, x[rows], y[rows])
            size = os.path.getsize(path)
            total += size
            counts = np.bincount(y[rows].astype(int))
            print("%-60s %5d rows  classes %s  %7d bytes" % (os.path.relpath(path), len(rows), counts.tolist(), size))
    print("total %d bytes" % total)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
