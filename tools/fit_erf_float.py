#!/usr/bin/python3
"""Fits the polynomials of deterministic numerics' float32 erf (kernels/cpu/deterministic_float_math.h's erf_float).

    /usr/bin/python3 tools/fit_erf_float.py

Two pieces, split at |x| = 1:
  |x| < 1:        erf(x) = x + x P(x^2), P of degree 7 (P(0) = 2/sqrt(pi) - 1, so the last add is a small correction)
  1 <= |x| < 3.95: erf(x) = 1 - exp(-x^2) R(1/|x| - shift), R of degree 10 (erfc(x) e^(x^2) is smooth in 1/x)
From 3.95 on the float32 result is 1. Each fit is near-minimax: least squares on Chebyshev nodes, reweighted by
Lawson's iteration, against mpmath's erf at 40 digits (P: absolute error, R: relative). Prints the coefficients as the
header spells them. The float32 evaluation was checked against the C library's double erf over every float with
|x| < 4.5: at most 1 ULP from the correctly rounded value (tests/kernels/cpu/deterministic_math_test.cpp's hidden
[.exhaustive] case repeats that check).
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 40


def near_minimax(f, lo, hi, degree, relative, shift=0.0, nodes=300, iterations=80):
    k = np.arange(nodes)
    xs = (lo + hi) / 2 + (hi - lo) / 2 * np.cos((2 * k + 1) * np.pi / (2 * nodes))
    ys = np.array([float(f(mp.mpf(x))) for x in xs])
    weight = 1 / np.abs(ys) if relative else np.ones_like(ys)
    lawson = np.ones_like(xs)
    for _ in range(iterations):
        c = np.polynomial.polynomial.polyfit(xs - shift, ys, degree, w=weight * np.sqrt(lawson))
        err = np.abs(np.polynomial.polynomial.polyval(xs - shift, c) - ys) * weight
        lawson = lawson * err
        lawson /= lawson.sum()
    dense = np.linspace(lo, hi, 3001)
    yd = np.array([float(f(mp.mpf(x))) for x in dense])
    worst = np.max(np.abs(np.polynomial.polynomial.polyval(dense - shift, c) - yd) * (1 / np.abs(yd) if relative else 1))
    return c, worst


def main():
    split, end = 1.0, 3.95
    p, p_err = near_minimax(lambda z: mp.erf(mp.sqrt(z)) / mp.sqrt(z) - 1 if z > 0 else 2 / mp.sqrt(mp.pi) - 1,
                            0.0, split * split, 7, relative=False)
    lo, hi = 1 / end, 1 / split
    shift = (lo + hi) / 2
    r, r_err = near_minimax(lambda t: mp.erfc(1 / t) * mp.exp(1 / t**2), lo, hi, 10, relative=True, shift=shift)
    print(f"// P (absolute error {p_err:.1e}), highest degree first:")
    print(", ".join(f"{v!r}f" for v in reversed(p)))
    print(f"// R (relative error {r_err:.1e}), shift {shift!r}, highest degree first:")
    print(", ".join(f"{v!r}f" for v in reversed(r)))


if __name__ == "__main__":
    main()
