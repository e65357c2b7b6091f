#!/usr/bin/env python3
"""Builds docs/demo.md's converged table from the long runs' JSON files.

Run from the repository root: python3 docs/demo-long/table.py
Reads every docs/demo-long/results*.json (the runs of `focal demo --long`),
keys each run by (loss, seed), and prints a Markdown table: test AP@0.5 per
seed, mean ± sd over seeds (sample sd), the size classes, and the paired
differences (same seed) against CE+prior and α-CE+prior.
"""
import glob
import json
import statistics as st

ORDER = ['CE', 'CE+prior', 'α-CE+prior', 'FL γ=0.5 α=0.5', 'FL γ=1 α=0.25', 'FL γ=2 α=0.25', 'FL γ=5 α=0.25']


def pct(v):
    if len(v) < 2:
        return '%.1f' % (100 * v[0])
    return '%.1f ± %.1f' % (100 * st.mean(v), 100 * st.stdev(v))


def main():
    runs = {}
    for path in sorted(glob.glob('docs/demo-long/results*.json')):
        with open(path) as f:
            for r in json.load(f)['runs']:
                runs[(r['loss'], r['seed'])] = r
    names = {loss for loss, _ in runs}
    losses = [n for n in ORDER if n in names] + sorted(names - set(ORDER))
    print('| loss | seed 1 | seed 2 | seed 3 | AP@0.5, mean ± sd | small | medium | large | − CE+prior | − α-CE+prior |')
    print('|---|---|---|---|---|---|---|---|---|---|')
    for loss in losses:
        seeds = sorted(s for n, s in runs if n == loss)
        got = [runs[(loss, s)] for s in seeds]

        def paired(ref):
            d = [runs[(loss, s)]['ap'] - runs[(ref, s)]['ap'] for s in seeds if (ref, s) in runs]
            if loss == ref or not d:
                return '–'
            if len(d) < 2:
                return '%+.1f' % (100 * d[0])
            return '%+.1f ± %.1f' % (100 * st.mean(d), 100 * st.stdev(d))

        cells = ['%.1f' % (100 * runs[(loss, s)]['ap']) if (loss, s) in runs else '–' for s in (1, 2, 3)]
        print('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            loss, *cells, pct([r['ap'] for r in got]), pct([r['small'] for r in got]),
            pct([r['medium'] for r in got]), pct([r['large'] for r in got]),
            paired('CE+prior'), paired('α-CE+prior')))


if __name__ == '__main__':
    main()
