/**
 * Canonical JSON, the text every content hash is taken over (the quote API's request hashes and capsule ids, and
 * calibrated surfaces' ids; docs/api.md): object keys sorted by UTF-16 code units, no whitespace, numbers
 * as JavaScript's shortest round-trip form, `undefined` members left out. NaN and the infinities have no JSON
 * form: they are refused rather than written as null, so a hash never silently covers a different value.
 *
 * Hand-written rather than JSON.stringify with a sorting replacer: it runs two or three times per quote, and
 * plain loops over sorted keys cost about half as much as building sorted copies of every object. The objects it
 * meets are small (a quote's have 1 to 8 keys): an insertion sort with `<` (which orders strings by UTF-16 code
 * units, as Array.prototype.sort does) beats sort()'s set-up there, and the quoted form of the keys seen is kept.
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

/** Objects with more keys than this are sorted with Array.prototype.sort (same order, better for long lists). */
const INSERTION_SORT_MAX = 16;
/** Quoted keys kept: the schemas' keys are a few dozen; keys from arbitrary input (error bodies) stop it growing. */
const QUOTED_KEYS_MAX = 1024;
const quotedKeys = new Map<string, string>();

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  const n = keys.length;
  if (n > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < n; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw REFUSED;
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + write(value[i]);
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = sortedKeys(record);
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const member = record[key];
        if (member === undefined) continue;
        out += (out.length === 1 ? '' : ',') + quotedKey(key) + ':' + write(member);
      }
      return `${out}}`;
    }
    default:
      throw REFUSED;
  }
}
