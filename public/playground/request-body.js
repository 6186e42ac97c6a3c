/**
 * Form text -> the PricingRequest the API takes (API-V1.md). The page does not validate: it sends what the user
 * typed and shows the API's own answer next to the field it names. Text that reads as a number is sent as a
 * number; anything else is sent as the text, so the API says what is wrong with it ("Input should be a valid
 * number") instead of the page guessing. A blank field is left out (the API applies its default or says
 * "Field required").
 */

export const CONTRACT_FIELDS = Object.freeze([
  'symbol',
  'strike_price',
  'time_to_expiry',
  'option_type',
  'exercise_style',
  'quantity',
]);
export const MARKET_FIELDS = Object.freeze(['spot_price', 'risk_free_rate', 'dividend_yield', 'volatility']);
const TEXT_FIELDS = new Set(['symbol', 'option_type', 'exercise_style']);

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number for text that reads as a finite one, the trimmed text otherwise, undefined for blank. */
export function numberOrText(text) {
  const trimmed = String(text ?? '').trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return DECIMAL.test(trimmed) && Number.isFinite(value) ? value : trimmed;
}

function fieldValue(name, text) {
  if (!TEXT_FIELDS.has(name)) return numberOrText(text);
  const trimmed = String(text ?? '').trim();
  return trimmed === '' ? undefined : trimmed;
}

function pick(names, values) {
  const out = {};
  for (const name of names) {
    const value = fieldValue(name, values[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * The request for one contract, from the form's text values (keyed by API field name, plus `model`). The seed is
 * not part of it: requestJson writes it into the JSON text, because seeds go up to 2^63-1 and a JavaScript number
 * would round anything above 2^53 to another seed.
 */
export function pricingRequest(values) {
  return {
    contracts: [pick(CONTRACT_FIELDS, values)],
    market_data: pick(MARKET_FIELDS, values),
    model: String(values.model ?? '').trim() || undefined,
    calculate_greeks: true,
  };
}

/** The seed as typed: digits go into the JSON verbatim, other text as a string (the API refuses it), blank: none. */
export function seedToken(seedText) {
  const trimmed = String(seedText ?? '').trim();
  if (trimmed === '') return null;
  return /^\d+$/.test(trimmed) ? trimmed : JSON.stringify(trimmed);
}

/** JSON text of `body`, with `"seed": <seedText exactly>` when a seed was typed. */
export function requestJson(body, seedText) {
  const json = JSON.stringify(body);
  const seed = seedToken(seedText);
  if (seed === null) return json;
  return `${json.slice(0, -1)},"seed":${seed}}`;
}
