"""Reference Sobol' points for test/core/math/sobol.test.ts, from an implementation independent of ours.

scipy.stats.qmc.Sobol(scramble=False) uses the Joe-Kuo direction numbers new-joe-kuo-6.21201 (S. Joe and
F. Y. Kuo, SIAM J. Sci. Comput. 30 (2008) 2635-2654; scipy documentation of scipy.stats.qmc.Sobol) and emits
the points in Gray-code order, starting with the origin, as our generator does.

Writes test/core/reference/scipy-sobol-10000x10.json: the first 10,000 points of dimensions 1..10 as integers
x * 2^32 (exact: for n < 2^14 only the 14 leading direction bits matter, so scipy's 30-bit words and our 32-bit
words give the same dyadic rationals), packed row-major as little-endian uint32 and summarised by SHA-256, plus
the first 32 points in clear.

Run with /usr/bin/python3 (scipy 1.10.1, numpy 1.24.2 when generated).
"""
import hashlib
import json
import pathlib
import warnings

import numpy as np
import scipy
from scipy.stats import qmc

POINTS = 10_000
DIMENSIONS = 10

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # scipy warns that 10,000 is not a power of two; the points are still exact
    x = qmc.Sobol(d=DIMENSIONS, scramble=False).random(POINTS)
words = np.rint(x * 2.0**32).astype(np.uint64)
assert np.all(words < 2**32) and np.array_equal(words.astype(np.float64) / 2.0**32, x)
packed = words.astype("<u4").tobytes()
out = {
    "source": "scipy.stats.qmc.Sobol(d=10, scramble=False).random(10000), Joe-Kuo new-joe-kuo-6.21201",
    "generator": "test/core/reference/generate-scipy-sobol.py",
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "points": POINTS,
    "dimensions": DIMENSIONS,
    "packing": "row-major uint32 little-endian of x * 2^32",
    "sha256": hashlib.sha256(packed).hexdigest(),
    "first32": [[int(w) for w in row] for row in words[:32]],
    "columnSums": [int(s) for s in words.sum(axis=0)],
}
path = pathlib.Path(__file__).with_name("scipy-sobol-10000x10.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(path, out["sha256"])
