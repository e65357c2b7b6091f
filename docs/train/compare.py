#!/usr/bin/env python3
"""`focal train --compare` next to scikit-learn on the tables of make_tables.py.

    /usr/bin/python3 docs/train/compare.py [--focal CMD] [--tables DIR] [--json FILE] [-- FOCAL FLAGS...]

Runs, for each of the 16 tasks of sklearn_reference.py,

    CMD train --data DIR/T.train.csv --test DIR/T.test.csv --label label
        [--positive P] --compare --json --quiet FOCAL FLAGS...

and prints two Markdown tables, average precision and ROC-AUC on the test
file, with a column per loss focal trained beside scikit-learn's
LogisticRegression, unweighted and with class_weight="balanced". The 10-class
digits row gives accuracy instead. CMD is split like a shell word list;
it defaults to `go run ./cmd/focal`, run in the repository root, and any other
CMD runs in the current directory. With no FOCAL FLAGS, focal trains at its
defaults. --json FILE writes every focal report and the scikit-learn numbers.

A task focal fails on shows `error` and its message is printed below the
tables; the exit status is then 1.
"""

import argparse
import json
import os
import re
import shlex
import subprocess
import sys

import sklearn

from sklearn_reference import DEFAULT_TABLES, ROOT, TASKS, reference

DEFAULT_FOCAL = "go run ./cmd/focal"


def run_focal(cmd, cwd, tables, task, extra):
    name, table, positive = task
    argv = cmd + ["train",
                  "--data", os.path.join(tables, table + ".train.csv"),
                  "--test", os.path.join(tables, table + ".test.csv"),
                  "--label", "label"]
    if positive is not None:
        argv += ["--positive", positive]
    argv += ["--compare", "--json", "--quiet"] + extra
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    except OSError as e:
        sys.exit("compare.py: --focal %s: %s" % (shlex.join(cmd), e))
    if p.returncode != 0:
        return None, "%s: exit status %d: %s" % (name, p.returncode, p.stderr.strip())
    try:
        return json.loads(p.stdout), None
    except json.JSONDecodeError as e:
        return None, "%s: output is not JSON (%s): %s" % (name, e, p.stdout[:200])


def loss_names(reports):
    names = []
    for rep in reports:
        for res in (rep or {}).get("results", []):
            if res["name"] not in names:
                names.append(res["name"])
    return names


def focal_value(rep, loss, key):
    if rep is None:
        return "error"
    for res in rep["results"]:
        if res["name"] == loss:
            if res.get("interrupted"):
                return "interrupted"
            if res.get("binary") is not None:
                return "%.4f" % res["binary"][key]
            return "%.4f" % res["multiclass"]["accuracy"]
    return ""


def table(title, key, ref, reports, losses):
    head = ["task", "train (pos)", "test (pos)", "sklearn", "sklearn balanced"] + ["focal " + l for l in losses]
    lines = ["**%s**" % title, "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r, rep in zip(ref, reports):
        if r["positive"] is None:
            task = r["task"] + ", accuracy"
            tr, te = str(r["train"]), str(r["test"])
            sk = ["%.4f" % r[k]["accuracy"] for k in ("default", "balanced")]
        else:
            task = r["task"]
            tr = "%d (%d)" % (r["train"], r["train_positive"])
            te = "%d (%d)" % (r["test"], r["test_positive"])
            sk = ["%.4f" % r[k][key] for k in ("default", "balanced")]
        cells = [task, tr, te] + sk + [focal_value(rep, l, key) for l in losses]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def settings(reports):
    """Describes focal's model and training settings, as its reports give them."""
    seen = []
    for rep in reports:
        if rep is None:
            continue
        # λ = 1/(C·N) differs from table to table: leave it out.
        training = re.sub(r", λ = [^,]*", "", rep["training"])
        s = "%s: %s; seeds %s" % (rep["model"], training, ",".join(str(x) for x in rep["seeds"]))
        if s not in seen:
            seen.append(s)
    return "; ".join(seen) if seen else "no report"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 usage="%(prog)s [--focal CMD] [--tables DIR] [--json FILE] [-- FOCAL FLAGS...]")
    ap.add_argument("--focal", default=DEFAULT_FOCAL, help="focal command (default: %(default)s, in the repository root)")
    ap.add_argument("--tables", default=DEFAULT_TABLES, help="directory of make_tables.py's CSV files")
    ap.add_argument("--json", help="also write every report to this JSON file")
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    args = ap.parse_args(argv)

    cmd = shlex.split(args.focal)
    cwd = ROOT if args.focal == DEFAULT_FOCAL else None
    tables = os.path.abspath(args.tables)

    ref = reference(tables)
    reports, errors = [], []
    for task in TASKS:
        rep, err = run_focal(cmd, cwd, tables, task, extra)
        reports.append(rep)
        if err:
            errors.append(err)
    losses = loss_names(reports)

    flags = " ".join(shlex.quote(a) for a in extra) if extra else "(defaults)"
    print("focal: `%s train ... --compare %s`: %s." % (args.focal, flags, settings(reports)))
    print("scikit-learn %s: StandardScaler, LogisticRegression(C=1.0, lbfgs); "
          "balanced: class_weight='balanced'.\n" % sklearn.__version__)
    print(table("Average precision (test)", "average_precision", ref, reports, losses))
    print()
    print(table("ROC-AUC (test)", "roc_auc", ref, reports, losses))
    for e in errors:
        print("\n" + e, file=sys.stderr)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"focal_command": args.focal, "focal_flags": extra, "sklearn": sklearn.__version__,
                       "tasks": [{"task": t[0], "sklearn": r, "focal": rep}
                                 for t, r, rep in zip(TASKS, ref, reports)]}, f, indent=1)
            f.write("\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
