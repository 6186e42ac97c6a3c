/** Number formatting for the page: fixed decimals for ordinary magnitudes, scientific notation for tiny ones. */

/** `digits` decimals, or `digits - 2` significant digits in scientific notation below 1e-4 (gammas of far strikes). */
export function formatNumber(value, digits = 6) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(Math.max(1, digits - 2));
  return value.toFixed(digits);
}

export function formatInterval(interval, digits = 6) {
  if (!Array.isArray(interval)) return '—';
  return `[${formatNumber(interval[0], digits)}, ${formatNumber(interval[1], digits)}]`;
}

/** 400000 -> "400,000" (the page's language is English). */
export function formatCount(value) {
  return Math.round(value).toLocaleString('en-US');
}
