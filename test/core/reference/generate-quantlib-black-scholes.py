#!/usr/bin/python3
"""Generates quantlib-1.29-black-scholes.json: QuantLib 1.29's AnalyticEuropeanEngine (generalised
Black-Scholes-Merton process) prices and greeks, an independent implementation that black_scholes is
checked against on ordinary inputs.

Run from the repository root with Debian's QuantLib bindings (apt-get install python3-quantlib):
    /usr/bin/python3 test/core/reference/generate-quantlib-black-scholes.py

Inputs: a seeded random set (Python random seed 20240611) of calls and puts with spot and strike in
[50, 150], T = days/365 for 7..1095 days, sigma in [0.05, 0.8], r in [-0.01, 0.08], q in [0, 0.05].
Year fractions are exact: flat curves and vol use Actual365Fixed and the maturity lies a whole number of
days away, so the engine sees exactly T = days/365 (the value written to the JSON).

QuantLib's greeks are in the same raw units as the core: delta and gamma per 1.0 of spot, theta per year
(dV/dt), vega per 1.00 of volatility, rho per 1.00 of rate.

Tolerance: QuantLib evaluates N(d) with its CumulativeNormalDistribution, accurate to about 1e-16
absolute but not relative (its values for far out-of-the-money options differ from mpmath by up to 1e-5
relative), so each row carries |engine - QuantLib| <= rel * |QuantLib| + abs with rel = 1e-12 (price) or
1e-10 (greeks) and an absolute floor of 1e-13 times each quantity's natural scale: S + K for value, theta
and vega, (S + K) max(T, 1) for rho, 1 for delta, 1/S for gamma. The mpmath reference
(mpmath-black-scholes.json) is the one that tests relative accuracy in the tails.
"""

import json
import os
import random

import QuantLib as ql

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'quantlib-1.29-black-scholes.json')
TODAY = ql.Date(15, ql.May, 2023)


def price(typ, S, K, days, v, r, q):
    ql.Settings.instance().evaluationDate = TODAY
    dc = ql.Actual365Fixed()
    spot = ql.SimpleQuote(S)
    rate = ql.FlatForward(TODAY, ql.QuoteHandle(ql.SimpleQuote(r)), dc)
    div = ql.FlatForward(TODAY, ql.QuoteHandle(ql.SimpleQuote(q)), dc)
    vol = ql.BlackConstantVol(TODAY, ql.NullCalendar(), ql.QuoteHandle(ql.SimpleQuote(v)), dc)
    process = ql.BlackScholesMertonProcess(ql.QuoteHandle(spot), ql.YieldTermStructureHandle(div),
                                           ql.YieldTermStructureHandle(rate), ql.BlackVolTermStructureHandle(vol))
    payoff = ql.PlainVanillaPayoff(ql.Option.Call if typ == 'call' else ql.Option.Put, K)
    option = ql.VanillaOption(payoff, ql.EuropeanExercise(TODAY + days))
    option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
    return {
        'value': option.NPV(),
        'greeks': {'delta': option.delta(), 'gamma': option.gamma(), 'theta': option.theta(),
                   'vega': option.vega(), 'rho': option.rho()},
    }


def main():
    rng = random.Random(20240611)
    rows = []
    for _ in range(120):
        typ = rng.choice(['call', 'put'])
        S = round(rng.uniform(50, 150), 2)
        K = round(rng.uniform(50, 150), 2)
        days = rng.randint(7, 1095)
        v = round(rng.uniform(0.05, 0.8), 4)
        r = round(rng.uniform(-0.01, 0.08), 4)
        q = round(rng.uniform(0.0, 0.05), 4)
        out = price(typ, S, K, days, v, r, q)
        rows.append({'type': typ, 'spot': S, 'strike': K, 'expiry': days / 365, 'volatility': v, 'rate': r,
                     'dividendYield': q, **out,
                     'tolerance': {'rel': 1e-12, 'greekRel': 1e-10,
                                   'abs': {'value': 1e-13 * (S + K), 'delta': 1e-13, 'gamma': 1e-13 / S,
                                           'theta': 1e-13 * (S + K), 'vega': 1e-13 * (S + K),
                                           'rho': 1e-13 * (S + K) * max(days / 365, 1)}}})
    doc = {
        'source': 'QuantLib ' + ql.__version__ + ' (Debian python3-quantlib): AnalyticEuropeanEngine on a '
                  'BlackScholesMertonProcess with flat Actual365Fixed curves; 120 random rows (seed 20240611)',
        'generator': 'test/core/reference/generate-quantlib-black-scholes.py',
        'units': 'value in currency; delta, gamma per 1.0 of spot; theta per year (dV/dt); vega per 1.00 vol; rho per 1.00 rate',
    }
    head = json.dumps(doc, indent=1)[:-2]
    body = ',\n'.join('  ' + json.dumps(x, separators=(',', ':')) for x in rows)
    with open(OUT, 'w') as f:
        f.write(head + ',\n "rows": [\n' + body + '\n ]\n}\n')
    print(f'wrote {len(rows)} rows to {OUT}')


if __name__ == '__main__':
    main()
