/**
 * OPE's library API: the pure numerical core, usable in-process without the server. This is the only barrel
 * src/core exposes; everything not re-exported here is an implementation detail.
 */
export { CoreError, isCoreError, type CoreErrorCode } from './errors.js';
export type { YearFraction, Rate, Volatility, Price } from './types.js';
export type { OptionSpec, OptionType, ExerciseStyle } from './instruments/option-spec.js';
export type { MarketInputs } from './market/market-inputs.js';
export type { Greeks, Diagnostics, PriceResult } from './results.js';

export {
  MODEL_NAMES,
  MODELS,
  isModelName,
  priceOption,
  type ModelName,
  type ModelInfo,
  type PriceOptionOptions,
} from './models.js';

export { priceBlackScholes, blackScholesPrice, type PricingOptions } from './engines/black-scholes.js';
export {
  priceBlackScholesBatch,
  type BlackScholesBatchInput,
  type BlackScholesBatchOutput,
} from './engines/black-scholes-batch.js';
export { priceBinomialCrr } from './engines/binomial-crr.js';
export { priceLeisenReimer } from './engines/leisen-reimer.js';
export type { TreeOptions } from './engines/binomial-tree.js';
export { priceBaroneAdesiWhaley } from './engines/barone-adesi-whaley.js';
export { priceBjerksundStensland } from './engines/bjerksund-stensland.js';
export { priceBjerksundStensland1993 } from './engines/bjerksund-stensland-1993.js';
export {
  priceMonteCarlo,
  simulateMonteCarloBlocks,
  combineMonteCarloBlocks,
  monteCarloBlockCount,
  type MonteCarloOptions,
  type MonteCarloBlockPartial,
} from './engines/monte-carlo.js';
export {
  priceMonteCarloEuropean,
  simulateMonteCarloEuropeanBlocks,
  mergeBlockMoments,
  type EuropeanMonteCarloOptions,
  type EuropeanMonteCarloResult,
  type EuropeanBlockMoments,
  type MonteCarloSampler,
} from './engines/monte-carlo-european.js';
export type { GreekMethod, GreekMethods } from './engines/monte-carlo-greeks.js';
export {
  priceLongstaffSchwartz,
  type LongstaffSchwartzOptions,
  type LongstaffSchwartzResult,
} from './engines/longstaff-schwartz.js';
export {
  priceMonteCarloModel,
  type MonteCarloModelParams,
  type MonteCarloModelResult,
} from './engines/monte-carlo-model.js';
export { impliedVolatility, type ImpliedVolatilityResult } from './engines/implied-volatility.js';
export { CORE_DOMAIN } from './validate.js';
export { impliedVolatilityAmerican } from './engines/implied-volatility-american.js';
export {
  impliedVolatilityBatch,
  type ImpliedVolatilityBatchInput,
  type ImpliedVolatilityBatchOutput,
} from './engines/implied-volatility-batch.js';

export { normCdf, normPdf, erfc } from './math/normal.js';
export { inverseNormalCdf } from './math/inverse-normal.js';
export { bivariateNormalCdf } from './math/bivariate-normal.js';
export { deriveChildSeed } from './math/seed.js';

export { VolatilitySurface, type VolatilityPoint, type VolatilityEstimate } from './market/volatility-surface.js';

export { sabrVolatility, type SabrParameters } from './surface/sabr.js';
export { sviTotalVariance, sviDensityFactor, sviMinimumVariance, type SviParameters } from './surface/svi.js';
export { calibrateSabr, type CalibrateSabrOptions, type SabrCalibration } from './surface/calibrate-sabr.js';
export { calibrateSvi, type CalibrateSviOptions, type SviCalibration } from './surface/calibrate-svi.js';
export type { SmileQuote, SmileFit } from './surface/smile-quote.js';
export {
  cleanBoard,
  type QuoteBoard,
  type BoardQuote,
  type ExpiryForward,
  type CleaningOptions,
  type Removal,
  type RemovalReason,
} from './surface/board.js';
export {
  checkButterfly,
  checkCalendar,
  checkPutCallParity,
  type ArbitrageViolation,
  type ViolationKind,
} from './surface/arbitrage.js';
export {
  buildSurface,
  type BuildSurfaceOptions,
  type SurfaceBuild,
  type SliceReport,
  type QualityReport,
} from './surface/build-surface.js';
export { SurfaceEvaluator, type SurfaceDefinition, type SurfaceSlice, type SmileModelName } from './surface/surface.js';
export type {
  QuoteRequest,
  QuoteResponse,
  QuoteModelFamily,
  QuoteModelParams,
  QuoteModelUsed,
  QuoteGreekName,
  QuoteGreeks,
  QuoteConfidence,
  GreeksResponse,
  BatchRequest,
  BatchResponse,
  BatchItemResult,
  QuoteIssue,
  ReplayRequest,
  ReplayResponse,
  VersionResponse,
} from './quote-api.js';
