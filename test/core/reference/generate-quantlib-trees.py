#!/usr/bin/python3
"""Generates quantlib-1.29-trees.json: QuantLib 1.29 binomial-tree prices and greeks that the
binomial_200 and leisen_reimer tests compare against.

Run from the repository root with Debian's QuantLib bindings:
    /usr/bin/python3 test/core/reference/generate-quantlib-trees.py

Engines: ql.BinomialVanillaEngine(process, 'lr', 201) and ql.BinomialVanillaEngine(process, 'crr', 200);
for European rows also ql.AnalyticEuropeanEngine (the Black-Scholes-Merton closed form).
Inputs: the Barone-Adesi-Whaley table that QuantLib's test-suite/americanoption.cpp
(testBaroneAdesiWhaleyValues) transcribes from E.G. Haug, "Option Pricing Formulas", McGraw-Hill 1998,
p. 24 (its published BAW values are kept as `haugBaw`), priced both American and European, plus a seeded
random set.

Year fractions are made exact: flat curves and vol use a day counter under which the maturity date lies a
whole number of days away and days/basis is exactly the T the TypeScript tests use. Haug's T = 0.1 and 0.5
are 36.5 and 182.5 days under Actual365Fixed, so that table uses Actual360 (36 and 180 days, as QuantLib's own
test does); the random set uses Actual365Fixed with T = days/365. The day counter only turns dates into T;
the engines see T, r, q, sigma.
"""

import json
import os
import random

import QuantLib as ql

TODAY = ql.Date(15, ql.May, 2023)

HAUG_1998_BAW = [
    # type, strike, spot, q, r, t, vol, published BAW value (Haug 1998 p. 24 via QuantLib americanoption.cpp)
    ('call', 100.0, 90.0, 0.10, 0.10, 0.10, 0.15, 0.0206),
    ('call', 100.0, 100.0, 0.10, 0.10, 0.10, 0.15, 1.8771),
    ('call', 100.0, 110.0, 0.10, 0.10, 0.10, 0.15, 10.0089),
    ('call', 100.0, 90.0, 0.10, 0.10, 0.10, 0.25, 0.3159),
    ('call', 100.0, 100.0, 0.10, 0.10, 0.10, 0.25, 3.1280),
    ('call', 100.0, 110.0, 0.10, 0.10, 0.10, 0.25, 10.3919),
    ('call', 100.0, 90.0, 0.10, 0.10, 0.10, 0.35, 0.9495),
    ('call', 100.0, 100.0, 0.10, 0.10, 0.10, 0.35, 4.3777),
    ('call', 100.0, 110.0, 0.10, 0.10, 0.10, 0.35, 11.1679),
    ('call', 100.0, 90.0, 0.10, 0.10, 0.50, 0.15, 0.8208),
    ('call', 100.0, 100.0, 0.10, 0.10, 0.50, 0.15, 4.0842),
    ('call', 100.0, 110.0, 0.10, 0.10, 0.50, 0.15, 10.8087),
    ('call', 100.0, 90.0, 0.10, 0.10, 0.50, 0.25, 2.7437),
    ('call', 100.0, 100.0, 0.10, 0.10, 0.50, 0.25, 6.8015),
    ('call', 100.0, 110.0, 0.10, 0.10, 0.50, 0.25, 13.0170),
    ('call', 100.0, 90.0, 0.10, 0.10, 0.50, 0.35, 5.0063),
    ('call', 100.0, 100.0, 0.10, 0.10, 0.50, 0.35, 9.5106),
    ('call', 100.0, 110.0, 0.10, 0.10, 0.50, 0.35, 15.5689),
    ('put', 100.0, 90.0, 0.10, 0.10, 0.10, 0.15, 10.0000),
    ('put', 100.0, 100.0, 0.10, 0.10, 0.10, 0.15, 1.8770),
    ('put', 100.0, 110.0, 0.10, 0.10, 0.10, 0.15, 0.0410),
    ('put', 100.0, 90.0, 0.10, 0.10, 0.10, 0.25, 10.2533),
    ('put', 100.0, 100.0, 0.10, 0.10, 0.10, 0.25, 3.1277),
    ('put', 100.0, 110.0, 0.10, 0.10, 0.10, 0.25, 0.4562),
    ('put', 100.0, 90.0, 0.10, 0.10, 0.10, 0.35, 10.8787),
    ('put', 100.0, 100.0, 0.10, 0.10, 0.10, 0.35, 4.3777),
    ('put', 100.0, 110.0, 0.10, 0.10, 0.10, 0.35, 1.2402),
    ('put', 100.0, 90.0, 0.10, 0.10, 0.50, 0.15, 10.5595),
    ('put', 100.0, 100.0, 0.10, 0.10, 0.50, 0.15, 4.0842),
    ('put', 100.0, 110.0, 0.10, 0.10, 0.50, 0.15, 1.0822),
    ('put', 100.0, 90.0, 0.10, 0.10, 0.50, 0.25, 12.4419),
    ('put', 100.0, 100.0, 0.10, 0.10, 0.50, 0.25, 6.8014),
    ('put', 100.0, 110.0, 0.10, 0.10, 0.50, 0.25, 3.3226),
    ('put', 100.0, 90.0, 0.10, 0.10, 0.50, 0.35, 14.6945),
    ('put', 100.0, 100.0, 0.10, 0.10, 0.50, 0.35, 9.5104),
    ('put', 100.0, 110.0, 0.10, 0.10, 0.50, 0.35, 5.8823),
    ('put', 100.0, 100.0, 0.00, 0.00, 0.50, 0.15, 4.2294),
]


def price(kind, strike, spot, q, r, days, vol, exercise, day_counter, basis):
    maturity = TODAY + days
    year_fraction = day_counter.yearFraction(TODAY, maturity)
    assert year_fraction == days / basis, (days, basis, year_fraction)
    process = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(spot)),
        ql.YieldTermStructureHandle(ql.FlatForward(TODAY, q, day_counter, ql.Continuous, ql.NoFrequency)),
        ql.YieldTermStructureHandle(ql.FlatForward(TODAY, r, day_counter, ql.Continuous, ql.NoFrequency)),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(TODAY, ql.NullCalendar(), vol, day_counter)),
    )
    payoff = ql.PlainVanillaPayoff(ql.Option.Call if kind == 'call' else ql.Option.Put, strike)
    ql_exercise = (ql.AmericanExercise(TODAY, maturity) if exercise == 'american'
                   else ql.EuropeanExercise(maturity))
    option = ql.VanillaOption(payoff, ql_exercise)

    def tree(name, steps):
        option.setPricingEngine(ql.BinomialVanillaEngine(process, name, steps))
        return {'value': option.NPV(), 'delta': option.delta(), 'gamma': option.gamma(), 'theta': option.theta()}

    row = {
        'type': kind, 'exercise': exercise, 'spot': spot, 'strike': strike, 'expiry': year_fraction,
        'rate': r, 'dividendYield': q, 'volatility': vol,
        'lr201': tree('lr', 201),
        'crr200': tree('crr', 200),
    }
    if exercise == 'european':
        option.setPricingEngine(ql.AnalyticEuropeanEngine(process))
        row['analytic'] = {
            'value': option.NPV(), 'delta': option.delta(), 'gamma': option.gamma(), 'theta': option.theta(),
            'vega': option.vega(), 'rho': option.rho(),
        }
    return row


def main():
    ql.Settings.instance().evaluationDate = TODAY
    cases = []
    actual360 = ql.Actual360()
    for index, (kind, strike, spot, q, r, t, vol, baw) in enumerate(HAUG_1998_BAW):
        days = int(round(t * 360))
        for exercise in ('american', 'european'):
            row = price(kind, strike, spot, q, r, days, vol, exercise, actual360, 360.0)
            assert row['expiry'] == t
            row['id'] = f'haug1998-p24-row{index + 1}-{exercise}'
            row['dayCounter'] = 'Actual360'
            row['haugBaw'] = baw if exercise == 'american' else None
            cases.append(row)

    rng = random.Random(20230515)
    actual365 = ql.Actual365Fixed()
    for index in range(80):
        kind = rng.choice(('call', 'put'))
        exercise = rng.choice(('american', 'european'))
        spot = round(rng.uniform(50.0, 200.0), 2)
        strike = round(rng.uniform(50.0, 200.0), 2)
        days = rng.randint(7, 3 * 365)
        r = round(rng.uniform(-0.02, 0.12), 4)
        q = round(rng.uniform(0.0, 0.10), 4)
        vol = round(rng.uniform(0.05, 0.80), 4)
        row = price(kind, strike, spot, q, r, days, vol, exercise, actual365, 365.0)
        row['id'] = f'random-{index + 1}'
        row['dayCounter'] = 'Actual365Fixed'
        row['haugBaw'] = None
        cases.append(row)

    data = {
        'source': 'QuantLib 1.29 (Debian python3-quantlib): BinomialVanillaEngine "lr" 201 steps and "crr" '
                  '200 steps, AnalyticEuropeanEngine for European rows. Inputs: Haug, "Option Pricing Formulas", '
                  'McGraw-Hill 1998, p. 24 (Barone-Adesi-Whaley table, as transcribed in QuantLib '
                  'test-suite/americanoption.cpp testBaroneAdesiWhaleyValues; haugBaw is the published BAW value), '
                  'priced American and European, plus 80 random cases (Python random seed 20230515).',
        'generator': 'test/core/reference/generate-quantlib-trees.py',
        'quantlibVersion': ql.__version__,
        'units': 'value in currency; delta, gamma per 1.0 of spot; theta per year (dV/dt); vega per 1.00 vol; '
                 'rho per 1.00 rate',
        'notes': [
            'expiry is the exact year fraction QuantLib used (days/360 for the Haug rows, days/365 for the '
            'random rows); the engines see only T, r, q and sigma.',
            'lr201 delta and gamma use the same step-1/step-2 node stencils as leisen_reimer, so they are '
            'comparable tightly; QuantLib theta is the Black-Scholes PDE residual '
            'r V - (r-q) S delta - sigma^2 S^2 gamma / 2 (blackScholesTheta), not a tree theta, so it is '
            'comparable only loosely (and not at all in the early-exercise region).',
            'crr200 is QuantLib\'s CoxRossRubinstein tree: same u = e^(sigma sqrt(dt)) and discount, but '
            'p = 1/2 + (r-q-sigma^2/2) dt / (2 sigma sqrt(dt)) instead of binomial_200\'s '
            'p = (e^((r-q)dt) - d)/(u - d). The two differ at O(dt^1.5) per step, so prices differ at O(1/steps): '
            'binomial_200 is checked strictly against the naive oracle test/core/oracles/crr-oracle.ts and only '
            'loosely against crr200.',
        ],
        'cases': cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'quantlib-1.29-trees.json')
    with open(path, 'w', encoding='utf-8') as out:
        json.dump(data, out, indent=1)
        out.write('\n')
    print(f'wrote {len(cases)} cases to {path}')


if __name__ == '__main__':
    main()
