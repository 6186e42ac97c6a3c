#!/usr/bin/python3
"""Reference data for the volatility surface's triangulated interpolation on degenerate point sets (docs/api.md,
"Volatility surface"): many points collinear on the convex hull's edges, rows of points sharing a maturity (the
shape of a real surface: strikes quoted per expiry), and a hull that is almost flat (points a hair off a line).
Queries include points exactly on the hull's edges. The Delaunay triangulation of each set is still unique (no four
points cocircular), so scipy.interpolate.griddata's 'linear' answer is the one answer to match.

Run: /usr/bin/python3 test/core/reference/generate-scipy-griddata-degenerate.py > test/core/reference/scipy-griddata-degenerate.json
(Debian bookworm: python3-scipy 1.10.1, python3-numpy 1.24.2.)
"""
import json
import sys

import numpy as np
import scipy
from scipy.interpolate import griddata


def rectangle_with_edges(rng):
    # Random strikes on the bottom and top edges, random maturities on the left and right ones, random interior.
    k0, k1, t0, t1 = 60.0, 180.0, 0.25, 2.0
    pts = [(k0, t0), (k1, t0), (k0, t1), (k1, t1)]
    pts += [(k, t0) for k in rng.uniform(k0, k1, 12)] + [(k, t1) for k in rng.uniform(k0, k1, 12)]
    pts += [(k0, t) for t in rng.uniform(t0, t1, 8)] + [(k1, t) for t in rng.uniform(t0, t1, 8)]
    pts += list(zip(rng.uniform(k0, k1, 20), rng.uniform(t0, t1, 20)))
    edge_queries = [(k, t0) for k in rng.uniform(k0, k1, 10)] + [(k0, t) for t in rng.uniform(t0, t1, 10)]
    return pts, edge_queries


def rows(rng):
    # Six expiries, each with its own random strikes: every row is a line of collinear points.
    pts = []
    for t in sorted(rng.uniform(0.1, 2.5, 6)):
        pts += [(k, t) for k in rng.uniform(60, 180, int(rng.integers(5, 15)))]
    t_low = min(t for _, t in pts)
    low = sorted(k for k, t in pts if t == t_low)
    edge_queries = [(k, t_low) for k in rng.uniform(low[0], low[-1], 10)]
    return pts, edge_queries


def almost_flat_hull(rng):
    # A bottom edge of points within 1e-10 of the line maturity = 0.5 (convex, so each is a hull vertex).
    ks = np.sort(rng.uniform(60, 180, 25))
    pts = [(k, 0.5 - 1e-12 * (k - 60) * (180 - k)) for k in ks]
    pts += list(zip(rng.uniform(60, 180, 25), rng.uniform(0.6, 2.0, 25)))
    edge_queries = [((a + b) / 2, 0.5) for a, b in zip(ks[:-1], ks[1:])][:10]
    return pts, edge_queries


def main() -> None:
    rng = np.random.default_rng(20261208)
    cases = []
    for name, make in [('rectangle with points on its edges', rectangle_with_edges), ('rows of one maturity', rows), ('almost flat hull', almost_flat_hull)]:
        for _ in range(5):
            pts, edge_queries = make(rng)
            points = np.array(pts)
            vols = rng.uniform(0.1, 0.6, len(points))
            kmin, kmax = points[:, 0].min(), points[:, 0].max()
            tmin, tmax = points[:, 1].min(), points[:, 1].max()
            random_queries = list(zip(rng.uniform(kmin - 5, kmax + 5, 30), rng.uniform(tmin - 0.05, tmax + 0.05, 30)))
            queries = np.array(edge_queries + random_queries)
            linear = griddata(points, vols, queries, method='linear')
            nearest = griddata(points, vols, queries, method='nearest')
            cases.append({
                'name': name,
                'points': [[float(k), float(t), float(v)] for (k, t), v in zip(points, vols)],
                'queries': [
                    {'strike': float(k), 'maturity': float(t), 'linear': None if np.isnan(lin) else float(lin), 'nearest': float(near)}
                    for (k, t), lin, near in zip(queries, linear, nearest)
                ],
            })
    json.dump({
        'source': f'scipy {scipy.__version__} griddata (numpy {np.__version__}), test/core/reference/generate-scipy-griddata-degenerate.py',
        'surfaces': cases,
    }, sys.stdout, separators=(',', ':'))
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
