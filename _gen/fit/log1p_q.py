#!/usr/bin/env python3
"""Fit Q for the AVX2 float32 kernel's log1p (_gen/sigmoid32.go, log1pQ).

log(1 + e) = e + e^2 * Q(e) on [0, 1], Q of degree 7, fitted by iteratively
reweighted least squares (a Lawson-style approach to minimax) for the
relative error of the whole expression, e^2 * dQ / log1p(e). Prints the
coefficients, the fit's worst relative error and the worst error in float32
ulps of a Horner evaluation with float32 rounding (a guide only: the test
TestVecMath32Within2ULP measures the kernel's own evaluation exhaustively).

Needs numpy (Debian: python3-numpy):

    python3 _gen/fit/log1p_q.py
"""
import numpy as np

DEGREE = 7


def q_exact(e):
    e = np.asarray(e, dtype=np.float64)
    small = e < 1e-3
    safe = np.where(small, 1.0, e)
    q = (np.log1p(safe) - safe) / safe**2
    series = -0.5 + e / 3 - e**2 / 4 + e**3 / 5 - e**4 / 6
    return np.where(small, series, q)


def fit(degree, n=6000, rounds=300):
    xs = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)  # Chebyshev nodes on [0, 1]
    a = np.vander(xs, degree + 1, increasing=True)
    rel = xs**2 / np.log1p(xs)  # d(l1)/l1 = e^2 dQ / log1p(e)
    w = np.ones(n)
    for _ in range(rounds):
        ww = w * rel
        coef, *_ = np.linalg.lstsq(a * ww[:, None], q_exact(xs) * ww, rcond=None)
        err = (a @ coef - q_exact(xs)) * rel
        w *= 1 + np.abs(err) / np.abs(err).max()
        w /= w.mean()
    return coef, np.abs(err).max()


def float32_ulps(coef):
    es = np.linspace(0, 1, 400001).astype(np.float32)
    es = np.concatenate([es, (2.0 ** -np.arange(1, 60, 0.25)).astype(np.float32)])
    c32 = coef.astype(np.float32)
    p = np.full_like(es, c32[-1])
    for c in c32[-2::-1]:
        p = (p.astype(np.float64) * es + np.float64(c)).astype(np.float32)
    e2 = (es.astype(np.float64) ** 2).astype(np.float32)
    got = (e2.astype(np.float64) * p + es).astype(np.float32)
    true = np.log1p(es.astype(np.float64))
    ulp = np.abs(got.astype(np.float64) - true) / np.spacing(true.astype(np.float32)).astype(np.float64)
    ulp[es == 0] = 0
    return ulp.max()


def main():
    coef, worst = fit(DEGREE)
    print("// fit: worst relative error %.2e; Horner in float32: %.2f ulp" % (worst, float32_ulps(coef)))
    print("var log1pQ = []float32{")
    for i in range(0, len(coef), 4):
        print("\t" + " ".join("%.10e," % c for c in coef[i:i + 4]))
    print("}")


if __name__ == "__main__":
    main()
