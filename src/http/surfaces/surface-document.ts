import { createHash } from 'node:crypto';
import type { BoardQuote, QuoteBoard } from '../../core/surface/board.js';
import type { ArbitrageViolation } from '../../core/surface/arbitrage.js';
import type { SurfaceBuild } from '../../core/surface/build-surface.js';
import type { SurfaceDefinition, SurfaceSlice } from '../../core/surface/surface.js';
import { canonicalJson } from '../canonical-json.js';

/**
 * The stored form of a calibrated surface (docs/api.md, "Calibrated surfaces"): what was fitted, how well, what
 * cleaning removed and why, and the violations it was stored with. Immutable; its id is the SHA-256 of its
 * canonical JSON without the id, so the same board and options always give the same id.
 */

export interface WireSurfaceRequest {
  readonly as_of: string;
  readonly spot: number;
  readonly risk_free_rate?: number;
  readonly dividend_yield?: number;
  readonly forwards?: readonly { readonly expiry: number; readonly forward: number }[];
  readonly quotes: readonly {
    readonly expiry: number;
    readonly strike: number;
    readonly option_type: 'call' | 'put';
    readonly bid_iv?: number;
    readonly ask_iv?: number;
    readonly mid_iv?: number;
    readonly bid_price?: number;
    readonly ask_price?: number;
    readonly mid_price?: number;
    readonly timestamp?: string;
  }[];
  readonly max_age_seconds?: number;
  readonly beta?: number | 'fit';
  readonly allow_arbitrage?: boolean;
}

export interface SurfaceDocument {
  readonly surface_id: string;
  readonly as_of: string;
  readonly spot: number;
  readonly risk_free_rate: number;
  readonly dividend_yield: number;
  readonly beta: number | 'fit';
  readonly slices: readonly WireSlice[];
  readonly quality: {
    readonly quotes_in: number;
    readonly quotes_kept: number;
    readonly removed: readonly {
      index: number;
      expiry: number;
      strike: number;
      option_type: string;
      reason: string;
      detail: string;
    }[];
  };
  /** Kept quotes (volatility terms), for smile charts. */
  readonly quotes: readonly {
    expiry: number;
    strike: number;
    option_type: string;
    bid_iv: number;
    ask_iv: number;
    mid_iv: number;
  }[];
  readonly violations: readonly ArbitrageViolation[];
}

export interface WireSlice {
  readonly expiry: number;
  readonly forward: number;
  readonly model: 'sabr' | 'svi';
  readonly parameters: Readonly<Record<string, number>>;
  readonly k_min: number;
  readonly k_max: number;
  readonly quote_count: number;
  /** Null when the fit found no finite error (see finiteOrNull). */
  readonly rmse: number | null;
  readonly reason: string;
  readonly sabr: { readonly parameters: Readonly<Record<string, number>>; readonly rmse: number | null };
  readonly svi: {
    readonly parameters: Readonly<Record<string, number>>;
    readonly rmse: number | null;
    readonly butterfly_free: boolean;
  };
}

/** Instants in requests are ISO 8601 text; the core works in Unix seconds. Null when the text is no instant. */
export function unixSeconds(text: string): number | null {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms / 1000 : null;
}

/** Wire request -> core board. Timestamps must already have been checked with unixSeconds. */
export function toQuoteBoard(body: WireSurfaceRequest, asOf: number): QuoteBoard {
  return {
    asOf,
    spot: body.spot,
    rate: body.risk_free_rate ?? 0,
    dividendYield: body.dividend_yield ?? 0,
    ...(body.forwards === undefined ? {} : { forwards: body.forwards }),
    quotes: body.quotes.map((q): BoardQuote => {
      const out: { -readonly [K in keyof BoardQuote]?: BoardQuote[K] } = {
        expiry: q.expiry,
        strike: q.strike,
        optionType: q.option_type,
      };
      if (q.bid_iv !== undefined) out.bidIv = q.bid_iv;
      if (q.ask_iv !== undefined) out.askIv = q.ask_iv;
      if (q.mid_iv !== undefined) out.midIv = q.mid_iv;
      if (q.bid_price !== undefined) out.bidPrice = q.bid_price;
      if (q.ask_price !== undefined) out.askPrice = q.ask_price;
      if (q.mid_price !== undefined) out.midPrice = q.mid_price;
      if (q.timestamp !== undefined) out.timestamp = unixSeconds(q.timestamp)!;
      return out as BoardQuote;
    }),
  };
}

/**
 * A fit's error as the document writes it: null when the fit found none that is finite. SABR with beta 0 on a board
 * at a scale of 1e-100 cannot reach its volatility (alpha has a floor), and its error is Infinity; the other model
 * is chosen, and canonical JSON, which has no text for Infinity, answered 500.
 */
function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/** The document for a build, without its id; `surfaceId` then hashes it. */
export function surfaceDocumentBody(
  body: WireSurfaceRequest,
  build: SurfaceBuild,
): Omit<SurfaceDocument, 'surface_id'> {
  return {
    as_of: body.as_of,
    spot: body.spot,
    risk_free_rate: body.risk_free_rate ?? 0,
    dividend_yield: body.dividend_yield ?? 0,
    beta: body.beta ?? 0.5,
    slices: build.definition.slices.map((slice, i) => {
      const report = build.slices[i]!;
      return {
        expiry: slice.expiry,
        forward: slice.forward,
        model: slice.model,
        parameters: { ...slice.parameters },
        k_min: slice.kMin,
        k_max: slice.kMax,
        quote_count: report.quoteCount,
        rmse: finiteOrNull(report.rmse),
        reason: report.reason,
        sabr: { parameters: { ...report.sabr.parameters }, rmse: finiteOrNull(report.sabr.rmse) },
        svi: {
          parameters: { ...report.svi.parameters },
          rmse: finiteOrNull(report.svi.rmse),
          butterfly_free: report.svi.butterflyFree,
        },
      };
    }),
    quality: {
      quotes_in: build.quality.quotesIn,
      quotes_kept: build.quality.quotesKept,
      removed: build.quality.removed.map((r) => ({
        index: r.index,
        expiry: r.expiry,
        strike: r.strike,
        option_type: r.optionType,
        reason: r.reason,
        detail: r.detail,
      })),
    },
    quotes: build.quotes.map((q) => ({
      expiry: q.expiry,
      strike: q.strike,
      option_type: q.optionType,
      bid_iv: q.bid,
      ask_iv: q.ask,
      mid_iv: q.mid,
    })),
    violations: build.violations,
  };
}

/** SHA-256 (hex) of the canonical JSON of the document without its id. */
export function surfaceId(document: Omit<SurfaceDocument, 'surface_id'>): string {
  return createHash('sha256').update(canonicalJson(document)).digest('hex');
}

/** The core's definition back from a stored document, for evaluation. */
export function toSurfaceDefinition(document: SurfaceDocument): SurfaceDefinition {
  return {
    spot: document.spot,
    slices: document.slices.map((s): SurfaceSlice => {
      const p = s.parameters;
      const common = { expiry: s.expiry, forward: s.forward, kMin: s.k_min, kMax: s.k_max };
      return s.model === 'sabr'
        ? {
            ...common,
            model: 'sabr',
            parameters: { alpha: p['alpha']!, beta: p['beta']!, rho: p['rho']!, nu: p['nu']! },
          }
        : {
            ...common,
            model: 'svi',
            parameters: { a: p['a']!, b: p['b']!, rho: p['rho']!, m: p['m']!, sigma: p['sigma']! },
          };
    }),
  };
}
