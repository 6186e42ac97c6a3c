#!/usr/bin/python3
"""Generates mpmath-black-scholes.json: generalised Black-Scholes-Merton prices and greeks computed with
mpmath at 60 significant digits, the "careful reference" that black_scholes is held to (docs/numerics.md:
1e-12 relative in price, 1e-10 in greeks).

Run from the repository root with Debian's mpmath (apt-get install python3-mpmath):
    /usr/bin/python3 test/core/reference/generate-mpmath-black-scholes.py

Inputs are the exact doubles written to the JSON (Python floats converted to mpf without rounding), so the
reference answers the question the TypeScript engine is asked. Outputs are rounded to 17 significant digits.

Rows:
  grid     ln(S/K) in +-{0, 0.001, 0.05, 0.3, 1, 3, 5}, sigma sqrt(T) from 1e-4 to 5, three (T, r, q) sets;
  tails    seeded random rows with d2 spread over [-37, 37] and sigma sqrt(T) log-uniform in [1e-4, 5]: the
           region where F N(d1) - K N(d2) cancels, down to prices near 1e-300;
  switch   both sides of the engine's switch from the direct difference to its quadrature form;
  limits   sigma -> 0 and T -> 0 (sigma sqrt(T) down to 1e-12), where the price tends to the discounted
           forward intrinsic value.
The closed-form greeks are checked here against mpmath's numerical derivatives of the price before they are
written, so a wrong formula in this script cannot become a reference value.

Tolerances per row: |engine - ref| <= rel * |ref| + abs. rel is 1e-12 (price) and 1e-10 (greeks), or
8 eps xCondition where that is larger: xCondition is what the unavoidable rounding of x = ln(S/K) + (r - q)T
to a double does to each output (see log_moneyness_condition); abs is 1e-300 for every value (below ~1e-300 doubles are subnormal or zero and carry no relative accuracy), and for
theta, which can cross zero through cancellation between its terms, also 1e-10 times the sum of the terms'
magnitudes (the absolute floor the brief allows where a greek is ~0).
"""

import json
import math
import os
import random

import mpmath
from mpmath import mp, mpf, ncdf, npdf, exp, log, sqrt, diff

mp.dps = 60

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'mpmath-black-scholes.json')


def price(typ, S, K, T, v, r, q):
    s = v * sqrt(T)
    d1 = (log(S / K) + (r - q) * T) / s + s / 2
    d2 = d1 - s
    if typ == 'call':
        return S * exp(-q * T) * ncdf(d1) - K * exp(-r * T) * ncdf(d2)
    return K * exp(-r * T) * ncdf(-d2) - S * exp(-q * T) * ncdf(-d1)


def closed_form(typ, S, K, T, v, r, q):
    s = v * sqrt(T)
    d1 = (log(S / K) + (r - q) * T) / s + s / 2
    d2 = d1 - s
    DS = S * exp(-q * T)
    DK = K * exp(-r * T)
    decay = -DS * npdf(d1) * v / (2 * sqrt(T))
    if typ == 'call':
        value = DS * ncdf(d1) - DK * ncdf(d2)
        delta = exp(-q * T) * ncdf(d1)
        carry, interest = q * DS * ncdf(d1), -r * DK * ncdf(d2)
        rho = T * DK * ncdf(d2)
    else:
        value = DK * ncdf(-d2) - DS * ncdf(-d1)
        delta = -exp(-q * T) * ncdf(-d1)
        carry, interest = -q * DS * ncdf(-d1), r * DK * ncdf(-d2)
        rho = -T * DK * ncdf(-d2)
    gamma = exp(-q * T) * npdf(d1) / (S * s)
    vega = DS * npdf(d1) * sqrt(T)
    theta = decay + carry + interest
    theta_scale = abs(decay) + abs(carry) + abs(interest)
    return value, [delta, gamma, theta, vega, rho], theta_scale


def check_against_derivatives(typ, S, K, T, v, r, q, value, greeks):
    """Closed-form greeks must equal mpmath's numerical derivatives of the price (to 1e-25 relative)."""
    numeric = [
        diff(lambda x: price(typ, x, K, T, v, r, q), S),
        diff(lambda x: price(typ, x, K, T, v, r, q), S, 2),
        -diff(lambda x: price(typ, S, K, x, v, r, q), T),
        diff(lambda x: price(typ, S, K, T, x, r, q), v),
        diff(lambda x: price(typ, S, K, T, v, x, q), r),
    ]
    for name, a, b in zip(['delta', 'gamma', 'theta', 'vega', 'rho'], greeks, numeric):
        scale = max(abs(a), abs(b), abs(value) * mpf('1e-30'))
        if scale > 0 and abs(a - b) > mpf('1e-25') * scale:
            raise AssertionError(f'{name} closed form {a} != numerical {b} for {typ} {S} {K} {T} {v} {r} {q}')


def log_moneyness_condition(typ, args):
    """For each output, what an error in the engine's x = ln(F/K) does to it, relatively:
    (|ln(S/K)| + |(r - q) T|) |d ln(out) / d ln S|. The engine's inputs are exact, but it must form
    x = ln(S/K) + (r - q) T in double precision, with an error of order eps (|ln(S/K)| + |(r - q) T|), which
    moves every output as a relative change of the spot would. Far out of the money with a small sigma sqrt(T)
    (ln V ~ -x^2 / (2 s^2)) that alone can exceed 1e-12; no algorithm working with a double x avoids it."""
    S, K, T, v, r, q = args
    spread = abs(log(S / K)) + abs((r - q) * T)
    step = mpf('1e-25')
    up_value, up_greeks, _ = closed_form(typ, S * exp(step), K, T, v, r, q)
    dn_value, dn_greeks, _ = closed_form(typ, S * exp(-step), K, T, v, r, q)
    base_value, base_greeks, _ = closed_form(typ, *args)
    out = []
    for a, b, o in zip([up_value] + up_greeks, [dn_value] + dn_greeks, [base_value] + base_greeks):
        out.append(min(float(spread * abs((a - b) / (2 * step) / o)), 1e300) if o != 0 else 0.0)
    return out


def row(group, typ, S, K, T, v, r, q, check=True):
    args = [mpf(S), mpf(K), mpf(T), mpf(v), mpf(r), mpf(q)]
    value, greeks, theta_scale = closed_form(typ, *args)
    condition = log_moneyness_condition(typ, args)
    if check and abs(value) > mpf('1e-200'):
        check_against_derivatives(typ, *args, value, greeks)
    return {
        'group': group,
        'type': typ, 'spot': S, 'strike': K, 'expiry': T, 'volatility': v, 'rate': r, 'dividendYield': q,
        # float(mpf) rounds to the nearest double; values below the double range become 0.
        'value': float(value),
        'greeks': dict(zip(['delta', 'gamma', 'theta', 'vega', 'rho'], [float(g) for g in greeks])),
        'thetaAbsFloor': float(mpf('1e-10') * theta_scale),
        'xCondition': dict(zip(['value', 'delta', 'gamma', 'theta', 'vega', 'rho'], condition)),
    }


def main():
    rows = []
    S = 100.0
    moneyness = [-5, -3, -1, -0.3, -0.05, -0.001, 0, 0.001, 0.05, 0.3, 1, 3, 5]
    total_vols = [1e-4, 1e-3, 1e-2, 0.05, 0.15, 0.4, 1.0, 2.0, 5.0]
    carry_sets = [(1.0, 0.05, 0.02), (0.25, 0.0, 0.0), (4.0, -0.005, 0.03)]
    for m in moneyness:
        K = S * math.exp(-m)
        for s in total_vols:
            for (T, r, q) in carry_sets:
                v = s / math.sqrt(T)
                for typ in ('call', 'put'):
                    rows.append(row('grid', typ, S, K, T, v, r, q, check=True))

    rng = random.Random(20240611)
    while sum(1 for x in rows if x['group'] == 'tails') < 160:
        s = 10 ** rng.uniform(-4, math.log10(5))
        d2 = rng.uniform(-37, 37)
        T = rng.choice([0.02, 0.5, 1.0, 3.0])
        r = rng.uniform(-0.01, 0.08)
        q = rng.uniform(0.0, 0.05)
        x = (d2 + s / 2) * s          # ln(F/K) that puts d2 where we want it
        m = x - (r - q) * T           # ln(S/K)
        if abs(m) > 8:
            continue
        K = round(S * math.exp(-m), 12) or S * math.exp(-m)
        v = s / math.sqrt(T)
        typ = rng.choice(['call', 'put'])
        rows.append(row('tails', typ, S, K, T, v, r, q, check=False))

    # Either side of the engine's switch between the direct difference and the quadrature of the Mills
    # ratio difference (sigma sqrt(T) = max(|h| + sigma sqrt(T)/2, 4) / 128, h = ln(F/K) / (sigma sqrt(T))).
    for z in [0.5, 2.0, 4.0, 6.0, 10.0, 20.0, 30.0]:
        for factor in (0.97, 1.03):
            s_total = max(z, 4.0) / 128 * factor
            for sign in (-1, 1):
                T, r, q = 0.75, 0.04, 0.015
                x = sign * (z - s_total / 2) * s_total
                K = S * math.exp(-(x - (r - q) * T))
                for typ in ('call', 'put'):
                    rows.append(row('switch', typ, S, K, T, s_total / math.sqrt(T), r, q, check=False))

    for (T, v) in [(1.0, 1e-8), (1.0, 1e-12), (1e-10, 0.2), (1e-16, 0.3)]:
        for m in [-0.1, -1e-9, 0, 1e-9, 0.1]:
            K = S * math.exp(-m)
            for typ in ('call', 'put'):
                rows.append(row('limits', typ, S, K, T, v, 0.03, 0.01, check=False))

    doc = {
        'source': 'mpmath ' + mpmath.__version__ + ' at 60 significant digits: closed-form generalised '
                  'Black-Scholes-Merton price and greeks (cost of carry b = r - q), greeks cross-checked against '
                  "mpmath's numerical derivatives of the price.",
        'generator': 'test/core/reference/generate-mpmath-black-scholes.py',
        'units': 'value in currency; delta, gamma per 1.0 of spot; theta per year (dV/dt); vega per 1.00 vol; rho per 1.00 rate (q fixed)',
        'tolerance': {'priceRel': 1e-12, 'greekRel': 1e-10, 'abs': 1e-300,
                      'notes': 'theta also gets the per-row thetaAbsFloor = 1e-10 * (sum of the magnitudes of its three terms)'},
    }
    # One row per line keeps the file diffable.
    head = json.dumps(doc, indent=1)[:-2]
    body = ',\n'.join('  ' + json.dumps(x, separators=(',', ':')) for x in rows)
    with open(OUT, 'w') as f:
        f.write(head + ',\n "rows": [\n' + body + '\n ]\n}\n')
    print(f'wrote {len(rows)} rows to {OUT}')


if __name__ == '__main__':
    main()
