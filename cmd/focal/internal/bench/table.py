#!/usr/bin/env python3
"""Prints docs/bench.md's table from the JSON of `focal bench --json`.

    focal bench --sizes 196608,8000000 --repeats 15 --json > bench.json
    python3 cmd/focal/internal/bench/table.py bench.json

One row per form and size: ns per element, × floor and the goal of the
AVX-512 and AVX2 kernels, pure Go, and the PyTorch rows.
"""
import json
import sys


def main(path):
    with open(path) as f:
        report = json.load(f)
    rows = report['rows']
    by = {(r['n'], r.get('kernel', ''), r['name']): r for r in rows}
    sizes = sorted({r['n'] for r in rows})
    print('| form | n | AVX-512 ns/el | × floor | goal (AVX-512) | AVX2 ns/el | × floor | goal (AVX2) | pure Go ns/el | PyTorch ns/el |')
    print('|---|---|---|---|---|---|---|---|---|---|')

    def cells(r):
        if r is None:
            return ['—', '', '']
        goal = ''
        if r.get('goal_met') is not None:
            goal = '%.2f× %s (≤ %g) %s' % (r['x_goal_ref'], r['goal']['ref'], r['goal']['max'],
                                          'met' if r['goal_met'] else '**missed**')
        return ['%.2f' % r['ns_per_elem'], '%.2f' % r['x_floor'] if 'x_floor' in r else '', goal]

    for n in sizes:
        names = []
        for r in rows:
            if r['n'] == n and r['name'] not in names:
                names.append(r['name'])
        for name in names:
            if name.startswith('triad'):
                print('| %s | %d | %.2f | 1.00 | | | | | | |' % (name, n, by[(n, '', name)]['ns_per_elem']))
                continue
            if (n, '', name) in by:  # PyTorch
                print('| %s | %d | | | | | | | | %.2f |' % (name, n, by[(n, '', name)]['ns_per_elem']))
                continue
            a, b, g = by.get((n, 'avx512', name)), by.get((n, 'avx2', name)), by.get((n, 'generic', name))
            print('| %s | %d | %s | %s | |' % (name, n, ' | '.join(cells(a) + cells(b)),
                                             '%.2f' % g['ns_per_elem'] if g else '—'))


if __name__ == '__main__':
    main(sys.argv[1])
