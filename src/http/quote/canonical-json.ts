/**
 * Canonical JSON (docs/api.md, "Quote API"): object keys sorted by UTF-16 code units, no whitespace, numbers
 * as JavaScript's shortest round-trip form, `undefined` members left out. NaN and the infinities have no JSON
 * form: they are refused rather than written as null, so a hash never silently covers a different value.
 */
export class NonCanonicalValueError extends Error {
  override readonly name = 'NonCanonicalValueError';
}

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new NonCanonicalValueError(`${path} is ${String(value)}, which JSON cannot represent`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item, i) => write(item, `${path}[${i}]`)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`)}`).join(',')}}`;
    }
    default:
      throw new NonCanonicalValueError(`${path} is a ${typeof value}, which JSON cannot represent`);
  }
}
