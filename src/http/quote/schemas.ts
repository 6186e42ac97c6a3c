import Type from 'typebox';
import type { Static, TSchema } from 'typebox';
import type * as Wire from '../../core/quote-api.js';

/**
 * The quote API's wire shapes (docs/api.md, "Quote API") as TypeBox schemas with names (`$id`, shown as
 * components in /docs) and examples. The request bounds are the spec's; unknown request fields are ignored, as
 * in v1. The handlers' types are the library's (src/core/quote-api.ts); the checks at the end of this file keep
 * the two in step.
 */

export const QUOTE_MODEL_FAMILIES = [
  'black_scholes',
  'binomial',
  'monte_carlo',
  'leisen_reimer',
  'barone_adesi_whaley',
  'bjerksund_stensland',
] as const;
export const GREEK_NAMES = ['delta', 'gamma', 'vega', 'theta', 'rho'] as const;

export const PATHS_MIN = 1_000;
export const PATHS_MAX = 1_000_000;
export const STEPS_MIN = 10;
export const STEPS_MAX = 10_000;

const GreekSelection = Type.Object(
  Object.fromEntries(GREEK_NAMES.map((name) => [name, Type.Optional(Type.Boolean())])) as Record<
    (typeof GREEK_NAMES)[number],
    Type.TOptional<Type.TBoolean>
  >,
  { description: 'Which greeks to return; absent: all five' },
);

export const QuoteRequestSchema = Type.Object(
  {
    contract: Type.Object({
      symbol: Type.String({ minLength: 1, maxLength: 64, examples: ['ABC'] }),
      strike_price: Type.Number({ exclusiveMinimum: 0, examples: [100] }),
      time_to_expiry: Type.Number({ minimum: 1e-6, description: 'Years', examples: [0.5] }),
      option_type: Type.String({
        pattern: '^([cC][aA][lL][lL]|[pP][uU][tT])$',
        description: '"call" or "put", any case',
        examples: ['call'],
      }),
      exercise_style: Type.Optional(Type.Enum(['european', 'american'], { default: 'european' })),
    }),
    market: Type.Object({
      spot_price: Type.Number({ exclusiveMinimum: 0, examples: [102] }),
      risk_free_rate: Type.Number({
        minimum: -0.5,
        maximum: 1,
        description: 'Continuously compounded',
        examples: [0.01],
      }),
      dividend_yield: Type.Optional(
        Type.Number({ minimum: -0.5, maximum: 1, default: 0, description: 'Continuous yield' }),
      ),
    }),
    volatility: Type.Optional(
      Type.Number({
        exclusiveMinimum: 1e-5,
        maximum: 5,
        examples: [0.2],
        description: 'Required unless `surface` names a stored surface',
      }),
    ),
    model: Type.Optional(
      Type.Object({
        family: Type.Optional(Type.Enum([...QUOTE_MODEL_FAMILIES], { default: 'black_scholes' })),
        params: Type.Optional(
          Type.Object({
            paths: Type.Optional(
              Type.Integer({
                minimum: PATHS_MIN,
                maximum: PATHS_MAX,
                description: 'monte_carlo; default 20,000; above 262,144 clamped',
              }),
            ),
            steps: Type.Optional(
              Type.Integer({
                minimum: STEPS_MIN,
                maximum: STEPS_MAX,
                description:
                  'binomial (default 200) and leisen_reimer (default 201); monte_carlo American: Longstaff-Schwartz exercise dates (default 64, at most 1,000)',
              }),
            ),
            antithetic: Type.Optional(
              Type.Boolean({
                description:
                  'monte_carlo: antithetic pairs; default true for European exercise, not available for American',
              }),
            ),
            use_cv: Type.Optional(Type.Boolean({ description: 'monte_carlo: control variates (European exercise)' })),
            use_qmc: Type.Optional(
              Type.Boolean({
                description: 'monte_carlo: scrambled Sobol, error from 128 independent scramblings (European exercise)',
              }),
            ),
            seed_prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          }),
        ),
      }),
    ),
    greeks: Type.Optional(GreekSelection),
    precision: Type.Optional(
      Type.Object({
        target_ci_bps: Type.Optional(
          Type.Number({ exclusiveMinimum: 0, description: '95% half-width target, basis points of the price' }),
        ),
        max_paths: Type.Optional(
          Type.Integer({
            minimum: PATHS_MIN,
            maximum: PATHS_MAX,
            description: 'Above 262,144: 429 cost_guard_triggered',
          }),
        ),
      }),
    ),
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    surface: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  {
    $id: 'QuoteRequest',
    examples: [
      {
        contract: { symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' },
        market: { spot_price: 102, risk_free_rate: 0.01 },
        volatility: 0.2,
        model: { family: 'monte_carlo', params: { paths: 20000, seed_prefix: 'desk-7' } },
      },
    ],
  },
);

const GreekValues = Type.Object(
  Object.fromEntries(GREEK_NAMES.map((name) => [name, Type.Optional(Type.Number())])) as Record<
    (typeof GREEK_NAMES)[number],
    Type.TOptional<Type.TNumber>
  >,
  { description: 'The selected greeks: theta per calendar day, vega and rho per point (0.01)' },
);

const ModelUsed = Type.Object({
  family: Type.Enum([...QUOTE_MODEL_FAMILIES]),
  params: Type.Record(Type.String(), Type.Union([Type.Number(), Type.Boolean(), Type.String()])),
});

const Confidence = Type.Object({
  half_width_abs: Type.Number(),
  half_width_bps: Type.Union([Type.Number(), Type.Null()]),
  paths_used: Type.Integer(),
  vr_pipeline: Type.String({ examples: ['antithetic'] }),
  paths_requested: Type.Optional(Type.Integer()),
  paths_clamped: Type.Optional(Type.Boolean()),
  target_ci_bps: Type.Optional(Type.Number()),
  target_met: Type.Optional(Type.Boolean()),
});

const quoteResponseProperties = {
  theoretical_price: Type.Number({ examples: [6.6] }),
  greeks: GreekValues,
  ci: Type.Optional(Confidence),
  capsule_id: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  model_used: ModelUsed,
  seed_lineage: Type.String({ examples: ['DESK-7:0'] }),
  surface_id: Type.Optional(Type.String()),
  ci_greeks: Type.Optional(
    Type.Record(Type.String(), Type.Object({ standard_error: Type.Number(), half_width_abs: Type.Number() }), {
      description: 'Monte Carlo: errors of the greek estimators',
    }),
  ),
  greeks_meta: Type.Optional(
    Type.Record(Type.String(), Type.Object({ method: Type.String(), paths_used: Type.Integer() }), {
      description: 'Monte Carlo: how each greek was estimated',
    }),
  ),
};

export const QuoteResponseSchema = Type.Object(quoteResponseProperties, {
  $id: 'QuoteResponse',
  examples: [
    {
      capsule_id: '3dc4d51f94b98edf125bcd523f9b259e3253334758f678eb917ace5714405b82',
      greeks: {
        delta: 0.5971943905755978,
        gamma: 0.0268314542013095,
        rho: 0.26948983531799275,
        theta: -0.01677279085162868,
        vega: 0.2791544495104242,
      },
      model_used: { family: 'black_scholes', params: {} },
      seed_lineage: '8ba8795a43cfb88a3bdf1777183d68221e1e494e782a51dfb10a543806008f23:0',
      theoretical_price: 7.015860775112422,
    },
  ],
});

export const GreeksResponseSchema = Type.Object(
  { greeks: GreekValues, capsule_id: quoteResponseProperties.capsule_id, model_used: ModelUsed },
  { $id: 'GreeksResponse' },
);

export const BatchRequestSchema = Type.Object(
  {
    items: Type.Array(Type.Unknown(), {
      description: 'QuoteRequests, at most 100 (more: 429); each is validated on its own',
    }),
    greeks_default: Type.Optional(GreekSelection),
  },
  {
    $id: 'BatchRequest',
    examples: [
      {
        items: [
          {
            contract: { symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' },
            market: { spot_price: 102, risk_free_rate: 0.01 },
            volatility: 0.2,
          },
          {
            contract: {
              symbol: 'ABC',
              strike_price: 95,
              time_to_expiry: 1,
              option_type: 'put',
              exercise_style: 'american',
            },
            market: { spot_price: 102, risk_free_rate: 0.01 },
            volatility: 0.25,
            model: { family: 'binomial', params: { steps: 500 } },
          },
        ],
        greeks_default: { delta: true, vega: true },
      },
    ],
  },
);

const Issue = Type.Object({
  loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
  msg: Type.String(),
  type: Type.String(),
});

export const BatchResponseSchema = Type.Object(
  {
    results: Type.Array(
      Type.Object({
        index: Type.Integer(),
        ok: Type.Boolean(),
        value: Type.Optional(QuoteResponseSchema),
        error: Type.Optional(
          Type.Object({ detail: Type.String({ examples: ['invalid_request'] }), issues: Type.Array(Issue) }),
        ),
      }),
    ),
    capsule_ids: Type.Array(Type.String()),
  },
  { $id: 'BatchResponse' },
);

export const ReplayRequestSchema = Type.Object(
  { strict_build: Type.Optional(Type.Boolean({ default: false })) },
  { $id: 'ReplayRequest', examples: [{ strict_build: true }] },
);

export const ReplayResponseSchema = Type.Object(
  { ...quoteResponseProperties, replayed: Type.Literal(true), verified: Type.Boolean(), build_id: Type.String() },
  { $id: 'ReplayResponse' },
);

export const VersionResponseSchema = Type.Object(
  {
    build_id: Type.String({ examples: ['local-dev'] }),
    library_versions: Type.Record(Type.String(), Type.String()),
    flags: Type.Object({ qmc: Type.Boolean(), cv: Type.Boolean(), stratified: Type.Boolean() }),
    sbom_hash: Type.String(),
    baseline_tag: Type.String(),
  },
  { $id: 'VersionResponse' },
);

export const QuoteErrorSchema = Type.Object(
  {
    detail: Type.Union([Type.String(), Type.Array(Issue)]),
    guard: Type.Optional(Type.String({ description: 'The cost guard that refused the request (429)' })),
    limit: Type.Optional(Type.Number()),
    request_id: Type.String(),
  },
  { $id: 'QuoteError' },
);

export const QUOTE_SCHEMAS: readonly TSchema[] = [
  QuoteRequestSchema,
  QuoteResponseSchema,
  GreeksResponseSchema,
  BatchRequestSchema,
  BatchResponseSchema,
  ReplayRequestSchema,
  ReplayResponseSchema,
  VersionResponseSchema,
  QuoteErrorSchema,
];

/** The error statuses of the protected quote routes. */
export const QUOTE_ERROR_RESPONSES = Object.fromEntries(
  [400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503].map((status) => [status, Type.Ref('QuoteError')]),
);

// Compile-time: what the schemas accept and answer is what the library's types say.
type Assignable<A, B> = [A] extends [B] ? true : never;
export const SCHEMAS_MATCH_WIRE_TYPES: [
  Assignable<Static<typeof QuoteRequestSchema>, Wire.QuoteRequest>,
  Assignable<Static<typeof QuoteResponseSchema>, Wire.QuoteResponse>,
  Assignable<Static<typeof GreeksResponseSchema>, Wire.GreeksResponse>,
  Assignable<Static<typeof ReplayResponseSchema>, Wire.ReplayResponse>,
  Assignable<Static<typeof VersionResponseSchema>, Wire.VersionResponse>,
] = [true, true, true, true, true];
