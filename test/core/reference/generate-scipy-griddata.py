#!/usr/bin/python3
"""Reference data for the volatility surface's scattered-data interpolation (docs/api.md, "Volatility surface").

For many random surfaces (scattered strikes and maturities, no two points on a common strike or maturity grid)
it records scipy.interpolate.griddata's answers at random queries: method 'linear' (piecewise linear on the
Delaunay triangulation; NaN outside the convex hull) and method 'nearest' (used by the surface outside the hull).
Queries are drawn from a box a little larger than the points' box, so both in-hull and out-of-hull queries occur.

Run: /usr/bin/python3 test/core/reference/generate-scipy-griddata.py > test/core/reference/scipy-griddata.json
(Debian bookworm: python3-scipy 1.10.1, python3-numpy 1.24.2.)
"""
import json
import sys

import numpy as np
import scipy
from scipy.interpolate import griddata

SURFACES = 80
QUERIES_PER_SURFACE = 30


def main() -> None:
    rng = np.random.default_rng(20261207)
    surfaces = []
    for s in range(SURFACES):
        n = int(rng.integers(4, 61))
        strikes = rng.uniform(50, 200, n)
        maturities = rng.uniform(0.05, 3.0, n)
        vols = rng.uniform(0.1, 0.6, n)
        points = np.column_stack([strikes, maturities])
        qk = rng.uniform(40, 210, QUERIES_PER_SURFACE)
        qt = rng.uniform(0.02, 3.2, QUERIES_PER_SURFACE)
        queries = np.column_stack([qk, qt])
        linear = griddata(points, vols, queries, method='linear')
        nearest = griddata(points, vols, queries, method='nearest')
        surfaces.append({
            'points': [[float(k), float(t), float(v)] for k, t, v in zip(strikes, maturities, vols)],
            'queries': [
                {
                    'strike': float(k),
                    'maturity': float(t),
                    'linear': None if np.isnan(lin) else float(lin),
                    'nearest': float(near),
                }
                for k, t, lin, near in zip(qk, qt, linear, nearest)
            ],
        })
    json.dump({
        'source': f'scipy {scipy.__version__} griddata (numpy {np.__version__}), test/core/reference/generate-scipy-griddata.py',
        'surfaces': surfaces,
    }, sys.stdout, separators=(',', ':'))
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
