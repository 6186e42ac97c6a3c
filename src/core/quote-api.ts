/**
 * The wire types of the quote API (POST /quote, /batch, /greeks, /replay/{capsule_id}, GET /version), for
 * TypeScript clients of the service: types only, no code, so importing them pulls in nothing. The routes'
 * schemas (src/http/quote/schemas.ts) are checked against these at compile time; docs/api.md describes the fields.
 */

export type QuoteModelFamily =
  'black_scholes' | 'binomial' | 'monte_carlo' | 'leisen_reimer' | 'barone_adesi_whaley' | 'bjerksund_stensland';

export type QuoteGreekName = 'delta' | 'gamma' | 'vega' | 'theta' | 'rho';

export interface QuoteModelParams {
  /** monte_carlo: 1,000..1,000,000 (default 20,000); above the cost guard (262,144) it is clamped. */
  readonly paths?: number;
  /** binomial and leisen_reimer: 10..10,000 (binomial default 200, leisen_reimer 201); American monte_carlo: Longstaff-Schwartz exercise dates (default 64). */
  readonly steps?: number;
  /** monte_carlo: antithetic pairs (default true for European exercise; Longstaff-Schwartz takes none). */
  readonly antithetic?: boolean;
  /** monte_carlo, European: control variates. */
  readonly use_cv?: boolean;
  /** monte_carlo, European: scrambled Sobol with an error from independent scramblings. */
  readonly use_qmc?: boolean;
  /** The lineage becomes "<SEED_PREFIX>:<index>" instead of "<request hash>:<index>". */
  readonly seed_prefix?: string;
}

export interface QuoteRequest {
  readonly contract: {
    readonly symbol: string;
    readonly strike_price: number;
    readonly time_to_expiry: number;
    /** Case-insensitive on the wire. */
    readonly option_type: 'call' | 'put' | (string & {});
    readonly exercise_style?: 'european' | 'american';
  };
  readonly market: {
    readonly spot_price: number;
    readonly risk_free_rate: number;
    readonly dividend_yield?: number;
  };
  readonly volatility?: number;
  readonly model?: { readonly family?: QuoteModelFamily; readonly params?: QuoteModelParams };
  /** Which greeks to return; absent: all five. */
  readonly greeks?: Partial<Record<QuoteGreekName, boolean>>;
  readonly precision?: { readonly target_ci_bps?: number; readonly max_paths?: number };
  readonly idempotency_key?: string;
  readonly surface?: string;
}

/** Display units as v1: theta per calendar day, vega and rho per point (0.01). */
export type QuoteGreeks = Partial<Record<QuoteGreekName, number>>;

export interface QuoteConfidence {
  readonly half_width_abs: number;
  /** null when the price is 0 (a half-width in basis points of nothing is undefined). */
  readonly half_width_bps: number | null;
  readonly paths_used: number;
  /** What was applied, joined with "+": "antithetic", "cv", "qmc"; or "baseline". */
  readonly vr_pipeline: string;
  /** Only when the request asked to be clamped or to meet a precision target. */
  readonly paths_requested?: number;
  readonly paths_clamped?: boolean;
  readonly target_ci_bps?: number;
  readonly target_met?: boolean;
}

export interface QuoteModelUsed {
  readonly family: QuoteModelFamily;
  readonly params: Readonly<Record<string, number | boolean | string>>;
}

export interface QuoteResponse {
  readonly theoretical_price: number;
  readonly greeks: QuoteGreeks;
  readonly ci?: QuoteConfidence;
  readonly capsule_id: string;
  readonly model_used: QuoteModelUsed;
  readonly seed_lineage: string;
  readonly surface_id?: string;
  /** Monte Carlo: the errors of the returned greeks' estimators, in their display units (absent for Longstaff-Schwartz). */
  readonly ci_greeks?: Partial<
    Record<QuoteGreekName, { readonly standard_error: number; readonly half_width_abs: number }>
  >;
  /** Monte Carlo: how each returned greek was estimated, and on how many paths. */
  readonly greeks_meta?: Partial<Record<QuoteGreekName, { readonly method: string; readonly paths_used: number }>>;
}

export interface GreeksResponse {
  readonly greeks: QuoteGreeks;
  readonly capsule_id: string;
  readonly model_used: QuoteModelUsed;
}

export interface BatchRequest {
  readonly items: readonly QuoteRequest[];
  /** Greek selection for items that give none. */
  readonly greeks_default?: Partial<Record<QuoteGreekName, boolean>>;
}

export interface QuoteIssue {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

export interface BatchItemResult {
  readonly index: number;
  readonly ok: boolean;
  readonly value?: QuoteResponse;
  readonly error?: { readonly detail: string; readonly issues: readonly QuoteIssue[] };
}

export interface BatchResponse {
  readonly results: readonly BatchItemResult[];
  readonly capsule_ids: readonly string[];
}

export interface ReplayRequest {
  /** Refuse (409 build_conflict) when the capsule was made by another build. */
  readonly strict_build?: boolean;
}

export interface ReplayResponse extends QuoteResponse {
  readonly replayed: true;
  /** The recomputed numbers are bit-identical to the stored ones. */
  readonly verified: boolean;
  /** The build that made the capsule. */
  readonly build_id: string;
}

export interface VersionResponse {
  readonly build_id: string;
  readonly library_versions: Readonly<Record<string, string>>;
  readonly flags: { readonly qmc: boolean; readonly cv: boolean; readonly stratified: boolean };
  readonly sbom_hash: string;
  readonly baseline_tag: string;
}
