import Type from 'typebox';
import type { Static, TSchema } from 'typebox';
import { MODEL_NAMES } from '../core/models.js';
import { EXACT_SEED, SEED_MAX_TEXT, UPPERCASE_PATTERN } from './validation.js';

/**
 * The wire shapes of the v1 API (docs/api.md) as TypeBox schemas: one source for validation (Ajv), the handlers' types and
 * the OpenAPI document. Unknown request fields are allowed and ignored (no additionalProperties: false).
 */

/** `T | null` as a JSON-Schema type array (Ajv allowUnionTypes; OpenAPI 3.1). */
function nullable<T extends TSchema & { type: string }>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

export const SYMBOL_PATTERN = '^[A-Z0-9]{1,20}$';

export const Contract = Type.Object({
  symbol: Type.String({
    minLength: 1,
    maxLength: 20,
    [UPPERCASE_PATTERN]: SYMBOL_PATTERN,
    description: 'Upper-cased, then must match [A-Z0-9]{1,20}',
    examples: ['ABC'],
  }),
  strike_price: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, examples: [100] }),
  time_to_expiry: Type.Number({ exclusiveMinimum: 0, maximum: 50, description: 'Years', examples: [0.5] }),
  option_type: Type.Enum(['call', 'put']),
  exercise_style: Type.Optional(Type.Enum(['european', 'american'], { default: 'european' })),
  quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
});
export type Contract = Static<typeof Contract>;

export const MarketData = Type.Object({
  spot_price: Type.Number({ exclusiveMinimum: 0, maximum: 1e9, examples: [102] }),
  risk_free_rate: Type.Number({ minimum: -1, maximum: 1, description: 'Continuously compounded', examples: [0.01] }),
  dividend_yield: Type.Optional(Type.Number({ minimum: 0, maximum: 1, default: 0, description: 'Continuous yield' })),
  volatility: Type.Optional(
    nullable(
      Type.Number({ exclusiveMinimum: 0, maximum: 5, description: 'When absent the volatility surface supplies it' }),
    ),
  ),
  surface_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description:
        'A calibrated surface (/api/v1/surfaces): each contract is priced at its volatility at (K, T); not with volatility',
    }),
  ),
});
export type MarketData = Static<typeof MarketData>;

export const ModelName = Type.Enum([...MODEL_NAMES]);

export const PricingRequest = Type.Object({
  contracts: Type.Array(Contract, { description: '1..OPE_MAX_CONTRACTS contracts (checked after the schema)' }),
  market_data: MarketData,
  model: Type.Optional(Type.Enum([...MODEL_NAMES], { default: 'black_scholes' })),
  calculate_greeks: Type.Optional(Type.Boolean({ default: true })),
  seed: Type.Optional(
    nullable(
      Type.Integer({
        minimum: 0,
        [EXACT_SEED]: true,
        description: `0..${SEED_MAX_TEXT}, read exactly from the JSON text`,
      }),
    ),
  ),
});
export type PricingRequest = Static<typeof PricingRequest>;

const NullableNumber = nullable(Type.Number());

export const PricingResult = Type.Object({
  contract_id: Type.String({ examples: ['ABC_100.0000_0.500000_call'] }),
  theoretical_price: Type.Number(),
  delta: NullableNumber,
  gamma: NullableNumber,
  theta: Type.Unsafe<number | null>({ type: ['number', 'null'], description: 'Per calendar day' }),
  vega: Type.Unsafe<number | null>({ type: ['number', 'null'], description: 'Per volatility point (0.01)' }),
  rho: Type.Unsafe<number | null>({ type: ['number', 'null'], description: 'Per rate point (0.01)' }),
  implied_volatility: NullableNumber,
  computation_time_ms: Type.Number(),
  model_used: Type.String(),
  volatility_used: NullableNumber,
  cached: Type.Boolean(),
  error: nullable(Type.String()),
  standard_error: NullableNumber,
  confidence_interval: Type.Unsafe<[number, number] | null>({
    type: ['array', 'null'],
    items: { type: 'number' },
    minItems: 2,
    maxItems: 2,
  }),
  quantity: Type.Number(),
  position_value: Type.Number(),
  position_delta: NullableNumber,
  position_gamma: NullableNumber,
  position_theta: NullableNumber,
  position_vega: NullableNumber,
  position_rho: NullableNumber,
  position_standard_error: NullableNumber,
  position_confidence_interval: Type.Unsafe<[number, number] | null>({
    type: ['array', 'null'],
    items: { type: 'number' },
    minItems: 2,
    maxItems: 2,
  }),
  /** Present when the volatility came from the volatility surface: the surface version used (docs/api.md). */
  volatility_surface_version: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type PricingResult = Static<typeof PricingResult>;

export const PortfolioGreeks = Type.Object({
  delta: Type.Number(),
  gamma: Type.Number(),
  theta: Type.Number(),
  vega: Type.Number(),
  rho: Type.Number(),
  total_value: Type.Number(),
  total_vega_exposure: Type.Number(),
  position_count: Type.Number(),
});
export type PortfolioGreeks = Static<typeof PortfolioGreeks>;

export const PricingBatchResponse = Type.Object({
  results: Type.Array(PricingResult),
  total_computation_time_ms: Type.Number(),
  options_per_second: Type.Number(),
  portfolio_greeks: Type.Unsafe<PortfolioGreeks | null>({ ...PortfolioGreeks, type: ['object', 'null'] }),
  surface_id: Type.Optional(
    Type.String({ description: 'The calibrated surface the volatilities came from, when the request named one' }),
  ),
});
export type PricingBatchResponse = Static<typeof PricingBatchResponse>;

const QuoteContract = Type.Object({
  symbol: Contract.properties.symbol,
  strike_price: Contract.properties.strike_price,
  time_to_expiry: Contract.properties.time_to_expiry,
  option_type: Contract.properties.option_type,
  exercise_style: Contract.properties.exercise_style,
});

export const ImpliedVolatilityRequest = Type.Object({
  market_data: Type.Object({
    spot_price: MarketData.properties.spot_price,
    risk_free_rate: MarketData.properties.risk_free_rate,
    dividend_yield: MarketData.properties.dividend_yield,
    surface_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description: 'A calibrated surface (/api/v1/surfaces): each result also reports its volatility at (K, T)',
      }),
    ),
  }),
  model: Type.Optional(
    Type.Enum([...MODEL_NAMES], {
      description: 'Model inverted for American quotes (default binomial_200); European quotes invert black_scholes',
    }),
  ),
  quotes: Type.Array(
    Type.Object({
      contract: QuoteContract,
      price: Type.Number({ minimum: 0, maximum: 1e9, description: 'Observed option price' }),
    }),
    { description: '1..OPE_MAX_CONTRACTS quotes (checked after the schema)' },
  ),
});
export type ImpliedVolatilityRequest = Static<typeof ImpliedVolatilityRequest>;

export const ImpliedVolatilityResponse = Type.Object({
  results: Type.Array(
    Type.Object({
      contract_id: Type.String(),
      implied_volatility: NullableNumber,
      iterations: Type.Integer(),
      error: nullable(Type.String()),
      surface_volatility: Type.Optional(
        Type.Number({ description: "The named surface's volatility at the quote's (K, T)" }),
      ),
    }),
  ),
  surface_id: Type.Optional(Type.String({ description: 'The calibrated surface the request named' })),
});
export type ImpliedVolatilityResponse = Static<typeof ImpliedVolatilityResponse>;

export const ModelsResponse = Type.Object({
  models: Type.Array(
    Type.Object({
      name: Type.String(),
      exercise_styles: Type.Array(Type.String()),
      greeks: Type.Object({
        delta: Type.String(),
        gamma: Type.String(),
        theta: Type.String(),
        vega: Type.String(),
        rho: Type.String(),
      }),
      description: Type.String(),
    }),
  ),
});

export const HealthResponse = Type.Object({
  status: Type.Enum(['ok', 'draining']),
  environment: Type.String(),
  uptime: Type.Number({ description: 'Seconds since start' }),
  version: Type.String(),
  timestamp: Type.String({ description: 'ISO 8601, UTC offset +00:00 (as the Python service)' }),
  uptime_seconds: Type.Number({ description: 'Seconds since start, 3 decimals (as the Python service)' }),
  system: Type.Object({
    cpu_percent: Type.Number({ description: 'Machine-wide CPU busy percentage since the previous health request' }),
    memory_percent: Type.Number({ description: "This process's resident memory, percent of the machine's" }),
  }),
  request_id: Type.Optional(Type.String()),
});

export const ValidationIssueSchema = Type.Object({
  type: Type.String(),
  loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
  msg: Type.String(),
  input: Type.Optional(
    Type.Unknown({ description: 'What the client sent at loc (for a missing field: the object that lacks it)' }),
  ),
  ctx: Type.Optional(
    Type.Object({}, { additionalProperties: true, description: 'The rule\'s parameters, e.g. {"gt": 0}' }),
  ),
});

export const ErrorResponse = Type.Object({
  detail: Type.Union([Type.String(), Type.Array(ValidationIssueSchema)]),
  request_id: Type.String(),
});

/** The error statuses every protected JSON route can answer, for the OpenAPI document. */
export const ERROR_RESPONSES = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  413: ErrorResponse,
  415: ErrorResponse,
  422: ErrorResponse,
  429: ErrorResponse,
  500: ErrorResponse,
  503: ErrorResponse,
} as const;
