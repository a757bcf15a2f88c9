#!/usr/bin/python3
"""Anchor for BM_FlexibilityModel_Analyse1000CustomersYear: the same regressions in numpy.

statsmodels (the issue's suggested anchor) is not installed on the build VM (it needs pandas), so
this times the statsmodels-equivalent computation with numpy 1.24 directly: per customer (1,000)
and hour (24), X = [1, T, low, high] with 730 rows (one year, half-hourly data pooled per hour),
beta by np.linalg.lstsq, sigma^2, Cov = sigma^2 (X'X)^-1, standard errors, the prediction at the
mean temperature with a 95 % prediction interval (scipy.stats.t.ppf when scipy is importable).
Data generation and slot grouping are outside the timed region (arrays are pre-grouped), so the
anchor is favourable to numpy. Usage: /usr/bin/python3 numpy_anchor.py [customers]
"""
import sys
import time

import numpy as np

try:
    from scipy.stats import t as student_t
except ImportError:  # pragma: no cover
    student_t = None

customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rows = 730
rng = np.random.default_rng(1)
temperature = 10 + 5 * rng.standard_normal((24, rows))
u = rng.random((24, rows))
low = (u < 0.08).astype(float)
high = ((u >= 0.08) & (u < 0.14)).astype(float)
designs = [np.column_stack([np.ones(rows), temperature[h], low[h], high[h]]) for h in range(24)]

start = time.perf_counter()
q = student_t.ppf(0.975, rows - 4) if student_t else 1.96
checksum = 0.0
for c in range(customers):
    y_all = 0.5 + 0.02 * temperature + 0.1 * rng.standard_normal((24, rows))
    for h in range(24):
        x = designs[h]
        y = y_all[h]
        beta, rss, rank, _ = np.linalg.lstsq(x, y, rcond=None)
        sigma2 = rss[0] / (rows - 4)
        cov = sigma2 * np.linalg.inv(x.T @ x)
        se = np.sqrt(np.diag(cov))
        x0 = np.array([1.0, temperature[h].mean(), 0.0, 0.0])
        mean = x0 @ beta
        half = q * np.sqrt(x0 @ cov @ x0 + sigma2)
        checksum += mean + half + se[3]
elapsed = time.perf_counter() - start
print(f"numpy anchor: {customers} customers x 24 hourly fits of {rows} x 4: {elapsed:.3f} s "
      f"(includes generating y, ~{customers * 24 * rows / 1e6:.1f} M values; checksum {checksum:.3f})")
