import { CoreError } from '../errors.js';
import { checkButterfly, checkCalendar, checkPutCallParity, type ArbitrageViolation } from './arbitrage.js';
import { cleanBoard, type CleaningOptions, type CleanQuote, type QuoteBoard, type Removal } from './board.js';
import { calibrateSabr, type SabrCalibration } from './calibrate-sabr.js';
import { calibrateSvi, type SviCalibration } from './calibrate-svi.js';
import type { SabrParameters } from './sabr.js';
import type { SviParameters } from './svi.js';
import type { SmileModelName, SurfaceDefinition, SurfaceSlice } from './surface.js';

export interface BuildSurfaceOptions extends CleaningOptions {
  /** SABR's beta: fixed in [0, 1] (default 0.5) or 'fit'. */
  readonly beta?: number | 'fit';
}

export interface SliceReport {
  readonly expiry: number;
  readonly forward: number;
  /** Kept quotes the smile was fitted to. */
  readonly quoteCount: number;
  readonly model: SmileModelName;
  /** RMSE of the chosen model, volatility units. */
  readonly rmse: number;
  /** Why this model was chosen. */
  readonly reason: string;
  readonly sabr: {
    readonly parameters: SabrParameters;
    readonly rmse: number;
    readonly iterations: number;
    readonly starts: number;
  };
  readonly svi: {
    readonly parameters: SviParameters;
    readonly rmse: number;
    readonly iterations: number;
    readonly starts: number;
    readonly butterflyFree: boolean;
  };
}

export interface QualityReport {
  readonly quotesIn: number;
  readonly quotesKept: number;
  readonly removed: readonly Removal[];
}

export interface SurfaceBuild {
  readonly definition: SurfaceDefinition;
  readonly slices: readonly SliceReport[];
  readonly quality: QualityReport;
  /** The quotes kept by cleaning, in volatility terms (board order): what the smiles were fitted to. */
  readonly quotes: readonly CleanQuote[];
  /** Empty when the cleaned board passed every check. */
  readonly violations: readonly ArbitrageViolation[];
}

/** Distinct strikes an expiry needs after cleaning: SVI has five parameters. */
export const MIN_STRIKES_PER_EXPIRY = 5;

/**
 * Board -> calibrated surface (docs/numerics.md, "Calibrated surfaces"): clean, check for static arbitrage,
 * then per expiry (increasing) fit SABR (warm-started from the previous expiry) and SVI to the mid
 * volatilities, and keep the one with the lower RMSE. SVI that fails the Gatheral-Jacquier check loses to SABR
 * whatever the RMSE. The caller decides what violations mean; they are returned, not thrown. Deterministic:
 * the same board and options give the same numbers bit for bit.
 * Throws CoreError ERR_CORE_INVALID_INPUT naming the field for an unreadable board, for a board cleaning
 * emptied, and for an expiry left with fewer than MIN_STRIKES_PER_EXPIRY strikes.
 */
export function buildSurface(board: QuoteBoard, options: BuildSurfaceOptions = {}): SurfaceBuild {
  const cleaned = cleanBoard(board, options);
  if (cleaned.quotes.length === 0) {
    throw new CoreError(
      'ERR_CORE_INVALID_INPUT',
      `cleaning removed every quote (${cleaned.removed.length} removed; see the reasons per quote)`,
      'quotes',
    );
  }
  const violations = [
    ...checkPutCallParity(cleaned.beforeOutliers),
    ...checkCalendar(cleaned.quotes),
    ...checkButterfly(cleaned.quotes),
  ];

  const byExpiry = new Map<number, CleanQuote[]>();
  for (const q of cleaned.quotes) {
    const list = byExpiry.get(q.expiry);
    if (list === undefined) byExpiry.set(q.expiry, [q]);
    else list.push(q);
  }
  const expiries = [...byExpiry.keys()].sort((a, b) => a - b);
  for (const expiry of expiries) {
    const strikes = new Set(byExpiry.get(expiry)!.map((q) => q.strike)).size;
    if (strikes < MIN_STRIKES_PER_EXPIRY) {
      throw new CoreError(
        'ERR_CORE_INVALID_INPUT',
        `expiry ${expiry} has quotes at ${strikes} distinct strikes after cleaning; a smile needs ${MIN_STRIKES_PER_EXPIRY}`,
        'quotes',
      );
    }
  }

  const slices: SurfaceSlice[] = [];
  const reports: SliceReport[] = [];
  let previousSabr: SabrParameters | undefined;
  let previousSvi: (SviParameters & { expiry: number }) | undefined;
  for (const expiry of expiries) {
    const quotes = byExpiry.get(expiry)!;
    const forward = quotes[0]!.forward;
    const smile = quotes.map((q) => ({ strike: q.strike, volatility: q.mid }));
    const sabr: SabrCalibration = calibrateSabr(forward, expiry, smile, {
      ...(options.beta === undefined ? {} : { beta: options.beta }),
      ...(previousSabr === undefined ? {} : { initial: previousSabr }),
    });
    const svi: SviCalibration = calibrateSvi(
      forward,
      expiry,
      smile,
      previousSvi === undefined ? {} : { initial: previousSvi },
    );
    previousSabr = sabr.parameters;
    previousSvi = { ...svi.parameters, expiry };
    let model: SmileModelName;
    let reason: string;
    if (!svi.butterflyFree) {
      model = 'sabr';
      reason = `svi fails the Gatheral-Jacquier no-butterfly check; sabr RMSE ${sabr.rmse}`;
    } else if (svi.rmse < sabr.rmse) {
      model = 'svi';
      reason = `svi RMSE ${svi.rmse} below sabr RMSE ${sabr.rmse}`;
    } else {
      model = 'sabr';
      reason = `sabr RMSE ${sabr.rmse} not above svi RMSE ${svi.rmse}`;
    }
    let kMin = Infinity;
    let kMax = -Infinity;
    for (const q of quotes) {
      kMin = Math.min(kMin, q.logMoneyness);
      kMax = Math.max(kMax, q.logMoneyness);
    }
    slices.push(
      model === 'sabr'
        ? { model, parameters: sabr.parameters, expiry, forward, kMin, kMax }
        : { model, parameters: svi.parameters, expiry, forward, kMin, kMax },
    );
    reports.push({
      expiry,
      forward,
      quoteCount: quotes.length,
      model,
      rmse: model === 'sabr' ? sabr.rmse : svi.rmse,
      reason,
      sabr: { parameters: sabr.parameters, rmse: sabr.rmse, iterations: sabr.iterations, starts: sabr.starts },
      svi: {
        parameters: svi.parameters,
        rmse: svi.rmse,
        iterations: svi.iterations,
        starts: svi.starts,
        butterflyFree: svi.butterflyFree,
      },
    });
  }
  return {
    definition: { spot: board.spot, slices },
    slices: reports,
    quality: { quotesIn: board.quotes.length, quotesKept: cleaned.quotes.length, removed: cleaned.removed },
    quotes: cleaned.quotes,
    violations,
  };
}
