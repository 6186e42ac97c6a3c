"""Reference European prices for the implied-volatility tests, computed with mpmath at 50 significant digits.

Each row is a quote whose exact Black-Scholes-Merton price (rounded once to the nearest double) is known for a
given volatility, so recovering that volatility tests the inversion alone, not a double-precision pricer.
Also stored: the condition number P / (sigma * dP/dsigma), the factor by which a relative error in the price
becomes a relative error in sigma (rounding the price to a double alone moves sigma by up to cond * 1.1e-16).

Run with Debian's interpreter: /usr/bin/python3 test/core/reference/generate-mpmath-implied-volatility.py
(mpmath 1.2.1). Writes mpmath-implied-volatility.json beside this script.
"""
import json
import math
import os
import random

import mpmath as mp

mp.mp.dps = 50


def price_and_vega(is_call, S, K, T, r, q, sigma):
    S, K, T, r, q, sigma = (mp.mpf(v) for v in (S, K, T, r, q, sigma))
    sqrt_t = mp.sqrt(T)
    s = sigma * sqrt_t
    d1 = (mp.log(S / K) + (r - q) * T) / s + s / 2
    d2 = d1 - s
    dq = mp.exp(-q * T)
    dr = mp.exp(-r * T)
    if is_call:
        price = S * dq * mp.ncdf(d1) - K * dr * mp.ncdf(d2)
    else:
        price = K * dr * mp.ncdf(-d2) - S * dq * mp.ncdf(-d1)
    vega = S * dq * mp.npdf(d1) * sqrt_t
    return price, vega


def row(is_call, S, K, T, r, q, sigma):
    price, vega = price_and_vega(is_call, S, K, T, r, q, sigma)
    p = float(price)
    if not (p > 1e-300):
        return None  # not representable as a normal double: no volatility can be recovered from it
    cond = price / (mp.mpf(sigma) * vega) if vega > 0 else mp.inf
    return {
        'type': 'call' if is_call else 'put',
        'spot': S, 'strike': K, 'expiry': T, 'rate': r, 'dividendYield': q,
        'volatility': sigma, 'price': p,
        'condition': float(cond) if cond < mp.mpf('1e300') else 1e300,
    }


def main():
    rows = []
    # Deterministic grid in normalised coordinates: total volatility s = sigma sqrt(T), moneyness x = ln(F/K).
    s_grid = [0.001, 0.002, 0.005, 0.01, 0.03, 0.1, 0.3, 0.7, 1, 1.5, 2, 3, 4, 5]
    x_grid = [-5, -4, -3, -2, -1, -0.5, -0.2, -0.05, -0.01, -1e-4, 0, 1e-4, 0.01, 0.05, 0.2, 0.5, 1, 2, 3, 4, 5]
    markets = [(1 / 12, 0.05, 0.02), (1.0, -0.01, 0.03), (5.0, 0.03, 0.0)]
    i = 0
    for s in s_grid:
        for x in x_grid:
            for is_call in (True, False):
                T, r, q = markets[i % len(markets)]
                i += 1
                S = 100.0
                K = S * math.exp((r - q) * T - x)
                out = row(is_call, S, K, T, r, q, s / math.sqrt(T))
                if out:
                    rows.append(out)
    # Random quotes over the same ranges, with market parameters varied too.
    rnd = random.Random(20150101)
    while len(rows) < 3000:
        s = 10 ** rnd.uniform(-3, math.log10(5))
        x = rnd.uniform(-5, 5)
        T = 10 ** rnd.uniform(-2, 1)
        r = rnd.uniform(-0.02, 0.1)
        q = rnd.uniform(0, 0.08)
        S = 10 ** rnd.uniform(0, 3)
        K = S * math.exp((r - q) * T - x)
        out = row(rnd.random() < 0.5, S, K, T, r, q, s / math.sqrt(T))
        if out:
            rows.append(out)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'mpmath-implied-volatility.json')
    columns = ['type', 'spot', 'strike', 'expiry', 'rate', 'dividendYield', 'volatility', 'price', 'condition']
    with open(path, 'w') as f:
        f.write('{\n"source": ' + json.dumps(
            'mpmath 1.2.1 at 50 digits: generalised Black-Scholes-Merton prices rounded once to double; '
            'generator test/core/reference/generate-mpmath-implied-volatility.py') + ',\n')
        f.write('"note": ' + json.dumps(
            'condition = price / (volatility * vega): how much a relative price error is amplified in sigma') + ',\n')
        f.write('"columns": ' + json.dumps(columns) + ',\n"rows": [\n')
        f.write(',\n'.join(json.dumps([r[c] for c in columns]) for r in rows))
        f.write('\n]\n}\n')
    print(len(rows), 'rows')


main()
