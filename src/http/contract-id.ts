/**
 * `SYMBOL_<strike, 4 decimals>_<time_to_expiry, 6 decimals>_<option_type>`, formatted as the Python service's
 * f"{x:.4f}" did. Python rounds an exact decimal tie to even where Number#toFixed rounds it up, so ties
 * (a double that is an odd multiple of 2^-(digits+1), e.g. 100.03125) are resolved here to match.
 */

/** `.`, `.0`, `.00`...: the fraction of a whole number, by digit count. */
const ZERO_FRACTIONS = Array.from({ length: 21 }, (_, d) => (d === 0 ? '' : `.${'0'.repeat(d)}`));

export function formatFixed(value: number, digits: number): string {
  // Whole strikes are the common case; toFixed is several times slower than this and gives the same text below
  // 1e21 (-0 included: both write "0"). A whole number is never a tie.
  if (Number.isInteger(value) && Math.abs(value) < 1e15 && digits <= 20) return `${value}${ZERO_FRACTIONS[digits]!}`;
  const text = value.toFixed(digits);
  const scaled = value * 2 ** (digits + 1); // exact: a power-of-two scaling
  if (!Number.isSafeInteger(scaled) || scaled % 2 === 0) return text;
  // value = scaled / 2^(digits+1) with scaled odd: value * 10^digits = scaled * 5^digits / 2 is exactly half-way.
  const twice = BigInt(scaled) * 5n ** BigInt(digits);
  const negative = twice < 0n;
  const magnitude = negative ? -twice : twice;
  const down = (magnitude - 1n) / 2n;
  const even = down % 2n === 0n ? down : down + 1n;
  const digitsText = even.toString().padStart(digits + 1, '0');
  const body = digits === 0 ? digitsText : `${digitsText.slice(0, -digits)}.${digitsText.slice(-digits)}`;
  return negative ? `-${body}` : body;
}

export function contractId(symbol: string, strike: number, expiry: number, optionType: string): string {
  return `${symbol}_${formatFixed(strike, 4)}_${formatFixed(expiry, 6)}_${optionType}`;
}
