/**
 * Canonical JSON (docs/api.md, "Quote API"): object keys sorted by UTF-16 code units, no whitespace, numbers
 * as JavaScript's shortest round-trip form, `undefined` members left out. NaN and the infinities have no JSON
 * form: they are refused rather than written as null, so a hash never silently covers a different value.
 *
 * Hand-written rather than JSON.stringify with a sorting replacer: it runs two or three times per quote, and
 * plain loops over sorted keys cost about half as much as building sorted copies of every object.
 */
export class NonCanonicalValueError extends Error {
  override readonly name = 'NonCanonicalValueError';
}

export function canonicalJson(value: unknown): string {
  try {
    return write(value);
  } catch (error) {
    if (error === REFUSED)
      throw new NonCanonicalValueError(describeRefusal(value, '$') ?? 'a value JSON cannot represent');
    throw error;
  }
}

/** Thrown by the fast writer, which keeps no path; the slow walk below then names the value. */
const REFUSED = Symbol('refused');

function refusable(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : String(value);
  if (value === null || ['string', 'boolean', 'object', 'undefined'].includes(typeof value)) return null;
  return `a ${typeof value}`;
}

function describeRefusal(value: unknown, path: string): string | null {
  const bad = refusable(value);
  if (bad !== null) return `${path} is ${bad}, which JSON cannot represent`;
  if (typeof value !== 'object' || value === null) return null;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [`${path}[${i}]`, v])
    : Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [`${path}.${k}`, v]);
  for (const [at, member] of entries) {
    const found = describeRefusal(member, at);
    if (found !== null) return found;
  }
  return null;
}

function write(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw REFUSED;
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + write(value[i]);
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${write(member)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw REFUSED;
  }
}
