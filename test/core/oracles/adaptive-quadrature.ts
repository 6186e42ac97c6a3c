/**
 * Test oracle: adaptive Gauss-Legendre quadrature, written for clarity rather than speed. Each interval is
 * integrated with 10 and with 20 points; an interval whose two answers differ by more than its share of the
 * absolute tolerance and by more than 1e-12 relative is halved. Used only by other oracles, never by src/.
 */

interface Rule {
  nodes: number[];
  weights: number[];
}

/** Gauss-Legendre rule on [-1, 1] by Newton's method on P_n (its own code, independent of src/core/math). */
function legendreRule(n: number): Rule {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 1; i <= n; i++) {
    let z = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let dp = 0;
    for (let it = 0; it < 200; it++) {
      // Evaluate P_n(z) and P_{n-1}(z) by the three-term recurrence.
      let pPrev = 1;
      let p = z;
      for (let j = 2; j <= n; j++) {
        const next = ((2 * j - 1) * z * p - (j - 1) * pPrev) / j;
        pPrev = p;
        p = next;
      }
      dp = (n * (pPrev - z * p)) / (1 - z * z);
      const dz = p / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    nodes.push(z);
    weights.push(2 / ((1 - z * z) * dp * dp));
  }
  return { nodes, weights };
}

const R10 = legendreRule(10);
const R20 = legendreRule(20);

function apply(rule: Rule, f: (t: number) => number, a: number, b: number): number {
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let s = 0;
  for (let i = 0; i < rule.nodes.length; i++) s += rule.weights[i]! * f(mid + half * rule.nodes[i]!);
  return s * half;
}

/**
 * Integral of f over [a, b] to absolute tolerance `tol` (default 1e-17), with optional interior break points
 * where f is steep. Throws if 60 levels of bisection do not reach the tolerance.
 */
export function integrate(f: (t: number) => number, a: number, b: number, breaks: number[] = [], tol = 1e-17): number {
  const pts = [a, ...breaks.filter((p) => p > a && p < b).sort((u, v) => u - v), b];
  let total = 0;
  for (let i = 0; i + 1 < pts.length; i++) total += adapt(f, pts[i]!, pts[i + 1]!, tol, 0);
  return total;
}

function adapt(f: (t: number) => number, a: number, b: number, tol: number, depth: number): number {
  const coarse = apply(R10, f, a, b);
  const fine = apply(R20, f, a, b);
  // For the analytic integrands used here the 20-point error is roughly the square of the 10-point one, so
  // a 10-vs-20 difference of 1e-12 relative leaves the 20-point answer at rounding level; asking for less
  // would chase the integrand's own rounding noise forever.
  if (Math.abs(fine - coarse) <= tol || Math.abs(fine - coarse) <= 1e-12 * Math.abs(fine)) return fine;
  if (depth > 60) throw new Error(`adaptive quadrature did not converge on [${a}, ${b}]`);
  const m = (a + b) / 2;
  return adapt(f, a, m, tol / 2, depth + 1) + adapt(f, m, b, tol / 2, depth + 1);
}
