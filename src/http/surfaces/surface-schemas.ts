import Type from 'typebox';

/** Wire schemas of /api/v1/surfaces (docs/api.md, "Calibrated surfaces"). */

/** Quotes per board at most: calibration runs on the request thread, so its size is bounded. */
export const MAX_SURFACE_QUOTES = 2000;

const Volatility = Type.Optional(
  Type.Number({ exclusiveMinimum: 0, maximum: 10, description: 'Black volatility, 0.2 = 20%' }),
);
const Price = Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9 }));

export const SurfaceQuote = Type.Object(
  {
    expiry: Type.Number({ exclusiveMinimum: 0, maximum: 50, description: 'Years', examples: [0.5] }),
    strike: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, examples: [100] }),
    option_type: Type.Union([Type.Literal('call'), Type.Literal('put')]),
    bid_iv: Volatility,
    ask_iv: Volatility,
    mid_iv: Volatility,
    bid_price: Price,
    ask_price: Price,
    mid_price: Price,
    timestamp: Type.Optional(
      Type.String({ maxLength: 40, description: 'ISO 8601; quotes older than max_age_seconds before as_of are stale' }),
    ),
  },
  { additionalProperties: false },
);

export const SurfaceRequest = Type.Object(
  {
    as_of: Type.String({
      minLength: 1,
      maxLength: 40,
      description: 'ISO 8601 date-time the board describes',
      examples: ['2026-12-07T00:00:00Z'],
    }),
    spot: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, examples: [100] }),
    risk_free_rate: Type.Optional(Type.Number({ minimum: -1, maximum: 1, default: 0 })),
    dividend_yield: Type.Optional(Type.Number({ minimum: -1, maximum: 1, default: 0 })),
    forwards: Type.Optional(
      Type.Array(
        Type.Object(
          {
            expiry: Type.Number({ exclusiveMinimum: 0, maximum: 50 }),
            forward: Type.Number({ exclusiveMinimum: 0, maximum: 1e9 }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 200 },
      ),
    ),
    quotes: Type.Array(SurfaceQuote, { minItems: 1, maxItems: MAX_SURFACE_QUOTES }),
    max_age_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9, default: 300 })),
    beta: Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Literal('fit')], { default: 0.5 })),
    allow_arbitrage: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const ViolationSchema = Type.Object({
  kind: Type.Union([Type.Literal('calendar'), Type.Literal('butterfly'), Type.Literal('put_call_parity')]),
  expiry: Type.Number(),
  strike: Type.Number(),
  detail: Type.String(),
});

const ValidationIssueSchema = Type.Object({
  loc: Type.Array(Type.Union([Type.String(), Type.Number()])),
  msg: Type.String(),
  type: Type.String(),
});

/** 422 of this route: the usual error, plus the violations when the board has static arbitrage. */
export const SurfaceRefusal = Type.Object({
  detail: Type.Union([Type.String(), Type.Array(ValidationIssueSchema)]),
  request_id: Type.String(),
  violations: Type.Optional(Type.Array(ViolationSchema)),
});

export const SurfaceSummary = Type.Object({
  surface_id: Type.String(),
  as_of: Type.String(),
  created_at: Type.String(),
  expiries: Type.Array(Type.Number()),
  models: Type.Array(Type.String()),
  violations: Type.Integer({ description: 'How many violations the stored surface carries (allow_arbitrage)' }),
});

export const SurfaceListQuery = Type.Object({
  // Query strings are text and the service never coerces: the digits are checked here, the range in the route.
  limit: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,4}$',
      description: 'At most this many surfaces, newest first: 1 to 1000, default 100',
    }),
  ),
});
