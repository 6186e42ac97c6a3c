import { normCdf } from '../math/normal.js';
import type { CleanQuote } from './board.js';

/**
 * Static-arbitrage checks on a cleaned board (docs/numerics.md, "Calibrated surfaces"). Each check gives the
 * quotes the benefit of their spread: a violation means that no choice of volatilities inside the quoted
 * bid-ask intervals removes it (locally: each test looks at two or three quotes at a time).
 */

export type ViolationKind = 'calendar' | 'butterfly' | 'put_call_parity';

export interface ArbitrageViolation {
  readonly kind: ViolationKind;
  readonly expiry: number;
  readonly strike: number;
  readonly detail: string;
}

/**
 * Call and put volatilities at the same strike and expiry must agree (put-call parity, with European options on
 * the same forward): their bid-ask intervals, each widened by this much, must overlap.
 */
export const PARITY_TOLERANCE = 0.005;
/** Floating-point slack of the price and variance comparisons, relative to the forward or the variance. */
const RELATIVE_SLACK = 1e-10;

/** Per (expiry, strike): the widest volatility interval over the call and put quotes there. */
interface StrikePoint {
  readonly strike: number;
  readonly forward: number;
  readonly logMoneyness: number;
  bid: number;
  ask: number;
}

function byExpiry(quotes: readonly CleanQuote[]): Map<number, StrikePoint[]> {
  const expiries = new Map<number, Map<number, StrikePoint>>();
  for (const q of quotes) {
    let strikes = expiries.get(q.expiry);
    if (strikes === undefined) {
      strikes = new Map();
      expiries.set(q.expiry, strikes);
    }
    const point = strikes.get(q.strike);
    if (point === undefined)
      strikes.set(q.strike, {
        strike: q.strike,
        forward: q.forward,
        logMoneyness: q.logMoneyness,
        bid: q.bid,
        ask: q.ask,
      });
    else {
      point.bid = Math.min(point.bid, q.bid);
      point.ask = Math.max(point.ask, q.ask);
    }
  }
  const out = new Map<number, StrikePoint[]>();
  for (const expiry of [...expiries.keys()].sort((a, b) => a - b)) {
    out.set(
      expiry,
      [...expiries.get(expiry)!.values()].sort((a, b) => a.strike - b.strike),
    );
  }
  return out;
}

/** Put-call parity: a call and a put at the same (expiry, strike) whose volatility intervals are disjoint. */
export function checkPutCallParity(quotes: readonly CleanQuote[]): ArbitrageViolation[] {
  const calls = new Map<string, CleanQuote>();
  for (const q of quotes) if (q.optionType === 'call') calls.set(`${q.expiry}|${q.strike}`, q);
  const violations: ArbitrageViolation[] = [];
  for (const put of quotes) {
    if (put.optionType !== 'put') continue;
    const call = calls.get(`${put.expiry}|${put.strike}`);
    if (call === undefined) continue;
    const gap = Math.max(call.bid, put.bid) - Math.min(call.ask, put.ask);
    if (gap > PARITY_TOLERANCE) {
      violations.push({
        kind: 'put_call_parity',
        expiry: put.expiry,
        strike: put.strike,
        detail: `call volatility [${call.bid}, ${call.ask}] and put volatility [${put.bid}, ${put.ask}] are ${gap} apart (tolerance ${PARITY_TOLERANCE}): put-call parity gives both the same volatility`,
      });
    }
  }
  return violations;
}

/** Undiscounted Black call price. */
function blackCall(forward: number, strike: number, volatility: number, expiry: number): number {
  const s = volatility * Math.sqrt(expiry);
  const d1 = Math.log(forward / strike) / s + 0.5 * s;
  return forward * normCdf(d1) - strike * normCdf(d1 - s);
}

/**
 * Butterfly: undiscounted call prices convex in strike. For neighbouring strikes K1 < K2 < K3 the middle call,
 * priced at its bid volatility, must not exceed the chord through the outer two priced at their ask
 * volatilities. The excess is reported divided by (K2 - K1)(K3 - K2)/(K3 - K1) / 2, the scaling that turns it
 * into a (negative) discrete risk-neutral density, comparable across strike spacings.
 */
export function checkButterfly(quotes: readonly CleanQuote[]): ArbitrageViolation[] {
  const violations: ArbitrageViolation[] = [];
  for (const [expiry, points] of byExpiry(quotes)) {
    for (let i = 1; i + 1 < points.length; i++) {
      const left = points[i - 1]!;
      const mid = points[i]!;
      const right = points[i + 1]!;
      const lambda = (right.strike - mid.strike) / (right.strike - left.strike);
      const chord =
        lambda * blackCall(left.forward, left.strike, left.ask, expiry) +
        (1 - lambda) * blackCall(right.forward, right.strike, right.ask, expiry);
      const excess = blackCall(mid.forward, mid.strike, mid.bid, expiry) - chord;
      if (excess > RELATIVE_SLACK * mid.forward) {
        const density =
          -excess / (((mid.strike - left.strike) * (right.strike - mid.strike)) / (right.strike - left.strike) / 2);
        violations.push({
          kind: 'butterfly',
          expiry,
          strike: mid.strike,
          detail: `the call at ${mid.strike} (bid volatility ${mid.bid}) is worth ${excess} more than the butterfly of strikes ${left.strike} and ${right.strike} at their ask volatilities allows: implied density ${density}`,
        });
      }
    }
  }
  return violations;
}

/**
 * Calendar: total variance sigma^2 T non-decreasing in expiry at fixed log-moneyness. Each quote of a later
 * expiry, at its ask, is compared with the earlier expiry's bid total variance interpolated linearly in
 * log-moneyness (only inside the earlier expiry's quoted range).
 */
export function checkCalendar(quotes: readonly CleanQuote[]): ArbitrageViolation[] {
  const violations: ArbitrageViolation[] = [];
  const slices = [...byExpiry(quotes)];
  for (let s = 1; s < slices.length; s++) {
    const [earlierExpiry, earlier] = slices[s - 1]!;
    const [laterExpiry, later] = slices[s]!;
    const ks = earlier.map((p) => p.logMoneyness);
    for (const point of later) {
      const k = point.logMoneyness;
      if (k < ks[0]! || k > ks[ks.length - 1]!) continue;
      let j = 1;
      while (j < ks.length - 1 && ks[j]! < k) j++;
      const a = earlier[j - 1]!;
      const b = earlier[Math.min(j, earlier.length - 1)]!;
      const wa = a.bid * a.bid * earlierExpiry;
      const wb = b.bid * b.bid * earlierExpiry;
      const t = b.logMoneyness === a.logMoneyness ? 0 : (k - a.logMoneyness) / (b.logMoneyness - a.logMoneyness);
      const wEarlier = wa + t * (wb - wa);
      const wLater = point.ask * point.ask * laterExpiry;
      if (wLater < wEarlier * (1 - RELATIVE_SLACK)) {
        violations.push({
          kind: 'calendar',
          expiry: laterExpiry,
          strike: point.strike,
          detail: `total variance ${wLater} at the ask is below ${wEarlier}, the bid total variance of expiry ${earlierExpiry} at the same log-moneyness ${k}`,
        });
      }
    }
  }
  return violations;
}
