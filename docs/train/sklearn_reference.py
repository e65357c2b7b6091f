#!/usr/bin/env python3
"""scikit-learn's logistic regression on the tables of make_tables.py.

    /usr/bin/python3 docs/train/sklearn_reference.py [--tables DIR] [--json FILE]

DIR defaults to cmd/focal/internal/train/testdata/tables; FILE, when given, receives
the numbers as JSON. Prints a Markdown table.

For each of the 16 tasks (ten digits one-vs-rest, breast cancer, breast cancer
rare, three wine one-vs-rest, and digits with 10 classes) it fits

    StandardScaler() on the train file, then
    LogisticRegression(C=1.0, solver="lbfgs", max_iter=10000)

once with the default (unweighted) loss and once with class_weight="balanced",
and scores the test file: average precision (average_precision_score) and
ROC-AUC (roc_auc_score) of predict_proba's positive column for the binary tasks;
accuracy, balanced accuracy and macro-F1 for the 10-class task (multinomial,
scikit-learn's choice for lbfgs with more than two classes). A fit that stops
at max_iter is an error, not a number.

A binary task with positive class P is label == P against the rest, the same
rows `focal train --positive P` sees.
"""

import argparse
import csv
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score, f1_score,
                             roc_auc_score)
from sklearn.preprocessing import StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_TABLES = os.path.join(ROOT, "internal", "train", "testdata", "tables")
MAX_ITER = 10000

# (task name, table, positive class or None for the multi-class task)
TASKS = ([("digits-%d" % d, "digits", str(d)) for d in range(10)] +
         [("breast_cancer", "breast_cancer", "1"),
          ("breast_cancer_rare", "breast_cancer_rare", "1")] +
         [("wine-%d" % c, "wine", str(c)) for c in range(3)] +
         [("digits (10 classes)", "digits", None)])


def read(path):
    """Returns features [N, F] (float64) and labels [N] (strings) of a make_tables.py CSV file."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    col = header.index("label")
    x = np.array([[float(v) for i, v in enumerate(r) if i != col] for r in rows])
    y = np.array([r[col] for r in rows])
    return x, y


def fit(x, y, class_weight):
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, solver="lbfgs", max_iter=MAX_ITER, class_weight=class_weight)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.fit(scaler.transform(x), y)
    return scaler, model


def score(task, tables):
    name, table, positive = task
    xtr, ytr = read(os.path.join(tables, table + ".train.csv"))
    xte, yte = read(os.path.join(tables, table + ".test.csv"))
    out = {"task": name, "table": table, "positive": positive,
           "train": len(ytr), "test": len(yte)}
    if positive is not None:
        ytr, yte = (ytr == positive).astype(int), (yte == positive).astype(int)
        out["train_positive"], out["test_positive"] = int(ytr.sum()), int(yte.sum())
    for key, cw in (("default", None), ("balanced", "balanced")):
        scaler, model = fit(xtr, ytr, cw)
        p = model.predict_proba(scaler.transform(xte))
        r = {"iterations": int(np.max(model.n_iter_))}
        if positive is not None:
            r["average_precision"] = average_precision_score(yte, p[:, 1])
            r["roc_auc"] = roc_auc_score(yte, p[:, 1])
        else:
            pred = model.classes_[np.argmax(p, axis=1)]
            r["accuracy"] = accuracy_score(yte, pred)
            r["balanced_accuracy"] = balanced_accuracy_score(yte, pred)
            r["macro_f1"] = f1_score(yte, pred, average="macro")
        out[key] = r
    return out


def reference(tables=DEFAULT_TABLES):
    """Scores every task of TASKS; returns a list of dicts (see score)."""
    return [score(t, tables) for t in TASKS]


def counts(r):
    if r["positive"] is None:
        return "%d" % r["train"], "%d" % r["test"]
    return ("%d (%d)" % (r["train"], r["train_positive"]),
            "%d (%d)" % (r["test"], r["test_positive"]))


def markdown(results):
    lines = ["| task | train (pos) | test (pos) | AP | ROC-AUC | AP balanced | ROC-AUC balanced |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        tr, te = counts(r)
        d, b = r["default"], r["balanced"]
        if r["positive"] is None:
            lines.append("| %s | %s | %s | accuracy %.4f | | accuracy %.4f | |" %
                         (r["task"], tr, te, d["accuracy"], b["accuracy"]))
        else:
            lines.append("| %s | %s | %s | %.4f | %.4f | %.4f | %.4f |" %
                         (r["task"], tr, te, d["average_precision"], d["roc_auc"],
                          b["average_precision"], b["roc_auc"]))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tables", default=DEFAULT_TABLES, help="directory of make_tables.py's CSV files")
    ap.add_argument("--json", help="also write the numbers to this JSON file")
    args = ap.parse_args()
    results = reference(args.tables)
    print(markdown(results))
    print("\nscikit-learn %s: StandardScaler, LogisticRegression(C=1.0, lbfgs); "
          "balanced: class_weight='balanced'." % sklearn.__version__)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"sklearn": sklearn.__version__, "max_iter": MAX_ITER, "tasks": results}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
