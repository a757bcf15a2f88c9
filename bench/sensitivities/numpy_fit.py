#!/usr/bin/python3
"""numpy beside gridke_sensitivities_bench: the same 150 x 8,640 multi-target fit (NOTES §1.5).

Times (median of 20 runs) normal equations + Cholesky for all 150 targets (what
BM_Regression_Ols150x8640 does) and numpy.linalg.lstsq (LAPACK gelsd). With --machine it prints
"<function> <median s> <min s>" lines for gridke_sensitivities_bench, which runs it in the same
process run as the C++ rows (BM_Numpy_*). Run with Debian's /usr/bin/python3 (python3-numpy, OpenBLAS when libopenblas0-pthread is installed).
"""
import sys
import time

import numpy as np

rng = np.random.default_rng(1)
T, N = 8640, 150
x = rng.standard_normal((T, N))
s = np.full((N, N), -0.02) - 0.2 * np.eye(N)
y = x @ s.T + 0.1 * rng.standard_normal((T, N))


def normal_equations():
    g = x.T @ x
    c = x.T @ y
    l = np.linalg.cholesky(g)
    b = np.linalg.solve(l.T, np.linalg.solve(l, c))
    w = np.linalg.inv(g)  # for the standard errors, as the C++ fit computes them
    return b, np.diag(w)


def lstsq():
    return np.linalg.lstsq(x, y, rcond=None)[0]


for name, fn in [("numpy normal equations + Cholesky (+ inverse for SEs)", normal_equations),
                 ("numpy lstsq (gelsd)", lstsq)]:
    fn()
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    if "--machine" in sys.argv:  # read by gridke_sensitivities_bench (BM_Numpy_*)
        print(f"{fn.__name__} {times[len(times) // 2]:.6f} {times[0]:.6f}")
    else:
        print(f"{name}: median {1e3 * times[len(times) // 2]:.1f} ms, min {1e3 * times[0]:.1f} ms")
