#!/usr/bin/python3
"""Generates golden-surface-board.json: the golden quote board of the calibrated-surface tests, as the
Python OPE describes it (expiries 0.25, 0.5 and 1 year; strikes 80 to 120; forward 100; SABR with
beta 0.5; calls and puts; noise within +-0.002), generated here because the Python service never shipped
the board itself.

Run from the repository root with Debian's QuantLib and NumPy (apt-get install python3-quantlib python3-numpy):
    /usr/bin/python3 test/core/reference/generate-golden-surface-board.py

Spot 100 with zero rate and dividend yield, so every forward is 100. Strikes 80, 82, ..., 120. True
volatilities from QuantLib's ql.sabrVolatility with beta 0.5 and the per-expiry (alpha, rho, nu) below
(the ATM volatility is about 0.2). Each call and each put gets its own mid = true + U(-0.002, 0.002)
drawn from numpy.random.default_rng(20261207), and bid/ask = mid -+ 0.005.
"""

import json
import os

import numpy as np
import QuantLib as ql

SEED = 20261207
FORWARD = 100.0
BETA = 0.5
HALF_SPREAD = 0.005
NOISE = 0.002
PARAMETERS = {0.25: (2.0, -0.35, 0.6), 0.5: (2.0, -0.3, 0.5), 1.0: (2.0, -0.25, 0.4)}

rng = np.random.default_rng(SEED)
quotes = []
truth = []
for expiry, (alpha, rho, nu) in PARAMETERS.items():
    truth.append({"expiry": expiry, "alpha": alpha, "beta": BETA, "rho": rho, "nu": nu})
    for strike in range(80, 121, 2):
        vol = ql.sabrVolatility(float(strike), FORWARD, expiry, alpha, BETA, nu, rho)
        for option_type in ("call", "put"):
            mid = round(vol + rng.uniform(-NOISE, NOISE), 8)
            quotes.append({
                "expiry": expiry,
                "strike": float(strike),
                "option_type": option_type,
                "bid_iv": round(mid - HALF_SPREAD, 8),
                "ask_iv": round(mid + HALF_SPREAD, 8),
                "mid_iv": mid,
            })

out = {
    "source": "test/core/reference/generate-golden-surface-board.py, numpy default_rng seed %d, QuantLib %s" % (SEED, ql.__version__),
    "truth": truth,
    "board": {"as_of": "2026-12-07T00:00:00Z", "spot": FORWARD, "risk_free_rate": 0.0, "dividend_yield": 0.0, "quotes": quotes},
}
path = os.path.join(os.path.dirname(__file__), "golden-surface-board.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
    fh.write("\n")
print(path, len(quotes))
