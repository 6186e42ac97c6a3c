"""Reference values of Jaeckel's normalised Black function b(x, s) and its vega db/ds, with mpmath at 50 digits.

b(x, s) = Phi(x/s + s/2) e^(x/2) - Phi(x/s - s/2) e^(-x/2) (an out-of-the-money call for x <= 0), and
db/ds = exp(-(x^2/s^2 + s^2/4)/2) / sqrt(2 pi). Points cover the four evaluation regions of
src/core/engines/normalised-black.ts (asymptotic, small t, direct, erfcx) and their borders.

Run: /usr/bin/python3 test/core/reference/generate-mpmath-normalised-black.py (mpmath 1.2.1); writes
mpmath-normalised-black.json beside this script.
"""
import json
import math
import os
import random

import mpmath as mp

mp.mp.dps = 50


def reference(x, s):
    x, s = mp.mpf(x), mp.mpf(s)
    h, t = x / s, s / 2
    b = mp.ncdf(h + t) * mp.exp(x / 2) - mp.ncdf(h - t) * mp.exp(-x / 2)
    vega = mp.exp(-(h * h + t * t) / 2) / mp.sqrt(2 * mp.pi)
    return b, vega


def main():
    rows = []
    rnd = random.Random(2015)
    tau = 2 * 2 ** (-52 / 16)
    while len(rows) < 1200:
        kind = len(rows) % 4
        if kind == 0:  # region 1: h < -10, h + t < -10 + tau
            h = -10 - 10 ** rnd.uniform(-3, 1.5)
            t = rnd.uniform(0, -h - 10 + tau) * rnd.random()
        elif kind == 1:  # region 2: t < tau
            t = tau * rnd.random()
            h = -10 ** rnd.uniform(-4, 1.1)
        elif kind == 2:  # region 3: h + t > 0.85
            t = 0.425 + 10 ** rnd.uniform(-3, 1)
            h = -rnd.uniform(0, t - 0.85) if t > 0.85 else 0.0
        else:  # region 4: the rest
            t = rnd.uniform(tau, 5)
            h = -rnd.uniform(max(0.0, 0.85 - t), 10)
        s = 2 * t
        x = h * s
        if s <= 0 or x > 0:
            continue
        b, vega = reference(x, s)
        if not (b > mp.mpf('1e-300')):
            continue
        rows.append([x, s, float(b), float(vega)])
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'mpmath-normalised-black.json')
    with open(path, 'w') as f:
        f.write('{\n"source": ' + json.dumps(
            'mpmath 1.2.1 at 50 digits; generator test/core/reference/generate-mpmath-normalised-black.py') + ',\n')
        f.write('"columns": ["x", "s", "b", "vega"],\n"rows": [\n')
        f.write(',\n'.join(json.dumps(r) for r in rows))
        f.write('\n]\n}\n')
    print(len(rows), 'rows')


main()
