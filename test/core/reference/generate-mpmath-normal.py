#!/usr/bin/python3
"""Generates mpmath-normal.json: the standard normal CDF and density, erfc, erfcx and the Mills ratio
computed with mpmath at 50 significant digits, for src/core/math/normal.ts.

Run from the repository root with Debian's mpmath (apt-get install python3-mpmath):
    /usr/bin/python3 test/core/reference/generate-mpmath-normal.py

Arguments are exact doubles (Python floats, converted to mpf without rounding); values are rounded to the
nearest double. Points: every 0.25 over [-38.5, 8.5] for the normal functions (the whole lower tail until
Phi underflows, the upper side until Phi rounds to 1), every 0.125 over [-6, 27.5] for erfc and over [0, 50]
for erfcx, plus the boundaries of Cody's intervals and their neighbours.
"""

import json
import math
import os

import mpmath
from mpmath import mp, mpf

mp.dps = 50

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'mpmath-normal.json')


def frange(lo, hi, step):
    n = int(round((hi - lo) / step))
    return [lo + i * step for i in range(n + 1)]


def neighbours(x):
    return [math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)]


def main():
    # Cody's interval boundaries on the erf scale (0.46875, 4) and on the normal scale (times sqrt 2).
    edges_w = [0.46875, 4.0]
    edges_x = [0.6629126073623883, 5.656854249492381]
    normal_x = sorted(set(frange(-38.5, 8.5, 0.25) + [-37.0, -10.0, -1e-8, 1e-8, 1e-300, -1e-300, 1.2345678901234567, -3.3]
                          + [s * e for e in edges_x for s in (1, -1) for e in neighbours(e)]))
    erfc_x = sorted(set(frange(-6.0, 27.5, 0.125) + [1e-10, -1e-10]
                        + [s * v for e in edges_w for s in (1, -1) for v in neighbours(e)]))
    erfcx_x = sorted(set(frange(0.0, 50.0, 0.125) + [1e3, 1e6, 1e10, 1e100] + [v for e in edges_w for v in neighbours(e)]))
    mills_x = sorted(set(frange(-0.625, 40.0, 0.125) + [v for e in edges_x for v in neighbours(e)]))

    def cdf(x):
        return float(mp.ncdf(mpf(x)))

    def pdf(x):
        return float(mp.npdf(mpf(x)))

    def mills(x):
        x = mpf(x)
        return mp.ncdf(-x) / mp.npdf(x)

    doc = {
        'source': 'mpmath ' + mpmath.__version__ + ' at 50 significant digits (ncdf, npdf, erfc, exp(x^2) erfc(x), '
                  'Mills ratio (1 - Phi(x))/phi(x) and its derivative x R(x) - 1), rounded to the nearest double',
        'generator': 'test/core/reference/generate-mpmath-normal.py',
        'normal': [[x, cdf(x), pdf(x)] for x in normal_x],
        'erfc': [[x, float(mp.erfc(mpf(x)))] for x in erfc_x],
        'erfcx': [[x, float(mp.exp(mpf(x) ** 2) * mp.erfc(mpf(x)))] for x in erfcx_x],
        'mills': [[x, float(mills(x)), float(x * mills(x) - 1)] for x in mills_x],
    }
    with open(OUT, 'w') as f:
        f.write('{\n')
        keys = list(doc)
        for i, k in enumerate(keys):
            sep = ',' if i < len(keys) - 1 else ''
            if isinstance(doc[k], list):
                body = ',\n'.join('  ' + json.dumps(r) for r in doc[k])
                f.write(f' {json.dumps(k)}: [\n{body}\n ]{sep}\n')
            else:
                f.write(f' {json.dumps(k)}: {json.dumps(doc[k])}{sep}\n')
        f.write('}\n')
    print('wrote', OUT, {k: len(v) for k, v in doc.items() if isinstance(v, list)})


if __name__ == '__main__':
    main()
