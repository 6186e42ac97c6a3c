"""Reference values of the standard normal quantile for test/core/math/inverse-normal.test.ts.

Run with /usr/bin/python3 (mpmath 1.2.1 on Debian 12):
    /usr/bin/python3 test/core/reference/generate-mpmath-inverse-normal.py > test/core/reference/mpmath-inverse-normal.json

Each probability p is a double (written with repr, which round-trips exactly). The quantile x with
Phi(x) = p is solved with Newton's method on mpmath's ncdf at 80 significant digits, working on the smaller
tail min(p, 1 - p) (computed exactly in mpmath) so the far tails keep full relative accuracy, then rounded
to the nearest double.
"""
import json
import random
import sys

import mpmath as mp

mp.mp.dps = 80


def quantile_lower(tail):
    """x < 0 with Phi(x) = tail, for 0 < tail <= 1/2, solved by Newton on log Phi for robustness."""
    if tail == mp.mpf('0.5'):
        return mp.mpf(0)
    x = -mp.sqrt(-2 * mp.log(tail))  # start to the left of the root
    for _ in range(200):
        cdf = mp.ncdf(x)
        # Newton on g(x) = log Phi(x) - log(tail): g' = phi/Phi
        step = (mp.log(cdf) - mp.log(tail)) * cdf / mp.npdf(x)
        x -= step
        if abs(step) < mp.mpf(10) ** (-70) * max(1, abs(x)):
            break
    else:
        raise RuntimeError('no convergence for tail %s' % tail)
    return x


def quantile(p):
    pm = mp.mpf(p)
    if pm <= mp.mpf('0.5'):
        return quantile_lower(pm)
    return -quantile_lower(1 - pm)


def main():
    rng = random.Random(20240501)
    probabilities = [
        5e-324, 1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-16, 1e-12, 1e-10, 1e-8, 1e-6, 1e-5,
        1e-4, 1e-3, 0.01, 0.02425, 0.05, 0.0749999999, 0.075, 0.0750000001, 0.1, 0.15, 0.2, 0.25,
        0.3, 0.35, 0.4, 0.45, 0.49, 0.499, 0.4999999, 0.5, 0.5000001, 0.501, 0.51, 0.6, 0.75, 0.9,
        0.925, 0.9250000001, 0.95, 0.99, 0.999, 0.999999, 1 - 1e-10, 1 - 2 ** -52, 1 - 2 ** -53,
        # the extreme uniforms of the Monte Carlo engine: (k + 0.5) * 2^-32 for k = 0 and 2^32 - 1
        0.5 * 2 ** -32, (2 ** 32 - 0.5) * 2 ** -32,
    ]
    for _ in range(150):
        probabilities.append(rng.random())
    for _ in range(150):
        probabilities.append(10 ** rng.uniform(-300, -0.302))
    rows = []
    for p in probabilities:
        x = quantile(p)
        rows.append({'p': p, 'x': float(x)})
    source = ('mpmath %s: Newton iteration on mpmath.ncdf at %d digits '
              '(test/core/reference/generate-mpmath-inverse-normal.py)' % (mp.__version__, mp.mp.dps))
    sys.stdout.write('{"source": %s,\n "rows": [\n' % json.dumps(source))
    sys.stdout.write(',\n'.join('  ' + json.dumps(row) for row in rows))
    sys.stdout.write('\n]}\n')


main()
