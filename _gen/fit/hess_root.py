#!/usr/bin/env python3
"""Fit the float32-lane Hessian near its zero (internal/kernel/vec.go,
hessRoots; _gen/sigmoid32.go, sigmoidHard32).

For a hard target the Hessian of sigmoid focal loss is
alpha_t m^g p_t B(t) with

    B(t) = g ce ((g + 1) p_t - 1) + (2g + 1) m,
    p_t = sigmoid(t), m = sigmoid(-t), ce = softplus(-t),

whose two terms cancel where B crosses zero, at t0 < 0 (for g = 1, 2;
for g = 0 B = m > 0). In float32 that leaves B within a few ulps of its
terms T, not of itself. Near t0 the kernels compute B = d Q(d) instead,
d = t - t0 (t0 split into a float32 and the rest, so that d is exact to
rounding), Q of degree 11 fitted by iteratively reweighted least squares
for relative error; they switch to it where T/|B| > 3, the band printed.
Prints, per g, t0 (float32 high and low parts), the band, the fitted range
and the coefficients (float32).

Needs numpy and mpmath (Debian: python3-numpy, python3-mpmath):

    python3 _gen/fit/hess_root.py
"""
import mpmath as mp, numpy as np
mp.mp.dps = 40
def parts(t):
    pt = 1/(1+mp.e**(-t)); m = 1/(1+mp.e**t); ce = mp.log1p(mp.e**(-t))
    return pt, m, ce
def B(t, g):
    pt, m, ce = parts(t)
    return g*ce*((g+1)*pt-1) + (2*g+1)*m
def T(t, g):
    pt, m, ce = parts(t)
    return g*ce*abs((g+1)*pt-1) + (2*g+1)*m
for g in (1, 2):
    t0 = mp.findroot(lambda t: B(t, g), -2.5)
    print("gamma", g, "t0", mp.nstr(t0, 20))
    for R in (3,):
        lo = t0 - mp.mpf('0.0005')
        while T(lo, g)/abs(B(lo, g)) > R: lo -= mp.mpf('0.001')
        hi = t0 + mp.mpf('0.0005')
        while T(hi, g)/abs(B(hi, g)) > R: hi += mp.mpf('0.001')
        a, b = float(lo-t0), float(hi-t0)
        print("  R", R, "band", a, b)
    # fit Q(d) = B(t0+d)/d on [a-0.1, b+0.1], relative error
    a, b = a-0.1, b+0.1
    n = 2000
    ds = (a+b)/2 + (b-a)/2*np.cos(np.pi*(np.arange(n)+0.5)/n)
    q = np.array([float(B(t0+mp.mpf(d), g)/mp.mpf(d)) for d in ds])
    for deg in (11,):
        A = np.vander(ds, deg+1, increasing=True)
        w = np.ones(n)
        for _ in range(100):
            coef, *_ = np.linalg.lstsq(A*(w/np.abs(q))[:, None], q*w/np.abs(q), rcond=None)
            err = (A@coef - q)/q
            w *= 1 + np.abs(err)/np.abs(err).max(); w /= w.mean()
        print("   deg", deg, "max rel", np.abs(err).max())
        if deg == 11:
            print("   t0hi", np.float32(float(t0)), "t0lo", np.float32(float(t0 - mp.mpf(float(np.float32(float(t0)))))))
            print("   fitted on", a, b)
            print("   coef", [float(np.float32(c)) for c in coef])
