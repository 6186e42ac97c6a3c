import { AppError } from './errors.js';
import { jsonSyntaxError } from './json-syntax-error.js';

/**
 * The JSON request-body reader. JSON.parse does the parsing; one linear, non-recursive walk of the (then known
 * valid) text adds what JSON.parse cannot give, when the text could need it (needsWalk, soleSeedText):
 *  - the raw digits of the top-level `seed`, so seeds above 2^53 are read exactly instead of being rounded
 *    into a different seed (Node 20 has no JSON.parse source-text access);
 *  - prototype-poisoning removal: any `__proto__` key, and a `prototype` key inside a `constructor` object, are
 *    deleted (never merged), so they are ignored like any unknown field, as the Python service ignored them;
 *  - the string-length rule: a string longer than `maxStringBytes` UTF-8 bytes is refused with 413.
 */

/** Where the parser leaves the seed's source text on the parsed body (a symbol: invisible to Ajv and JSON). */
export const SEED_SOURCE: unique symbol = Symbol('ope.seedSource');

export interface JsonBodyOptions {
  readonly maxStringBytes: number;
}

/** max(128, MAX_BODY_BYTES / 32), as the Python service computed it. */
export function maxStringBytesFor(maxBodyBytes: number): number {
  return Math.max(128, Math.floor(maxBodyBytes / 32));
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

interface Frame {
  readonly isObject: boolean;
  /** Objects: the next string token is a key. */
  expectKey: boolean;
  /** Objects: the key whose value comes next. */
  key: string | null;
  /** This object is the value of a `constructor` key. */
  readonly underConstructor: boolean;
}

/** FastAPI's entry for invalid JSON: the offset in `loc`, Python's reason in `ctx.error`. */
function malformed(text: string): AppError {
  const { position, message } = jsonSyntaxError(text);
  return new AppError('ERR_HTTP_MALFORMED_JSON', {
    detail: [
      { type: 'json_invalid', loc: ['body', position], msg: 'JSON decode error', input: {}, ctx: { error: message } },
    ],
  });
}

/**
 * The text of a JSON body's bytes, as Python's json.loads reads them: UTF-32 and UTF-16 (with a byte-order mark,
 * or told apart by their zero bytes), else UTF-8 with one optional leading BOM. Invalid UTF-8 is a 400
 * `There was an error parsing the body`, as FastAPI answered it.
 */
export function decodeJsonBytes(bytes: Uint8Array): string {
  const b0 = bytes[0],
    b1 = bytes[1],
    b2 = bytes[2],
    b3 = bytes[3];
  let encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be' = 'utf-8';
  let skip = 0;
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) [encoding, skip] = ['utf-32le', 4];
  else if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) [encoding, skip] = ['utf-32be', 4];
  else if (b0 === 0xff && b1 === 0xfe) [encoding, skip] = ['utf-16le', 2];
  else if (b0 === 0xfe && b1 === 0xff) [encoding, skip] = ['utf-16be', 2];
  else if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) skip = 3;
  else if (bytes.length >= 4) {
    if (b0 === 0) encoding = b1 !== 0 ? 'utf-16be' : 'utf-32be';
    else if (b1 === 0) encoding = b2 !== 0 || b3 !== 0 ? 'utf-16le' : 'utf-32le';
  } else if (bytes.length === 2) {
    if (b0 === 0) encoding = 'utf-16be';
    else if (b1 === 0) encoding = 'utf-16le';
  }
  const body = bytes.subarray(skip);
  try {
    if (encoding === 'utf-32le' || encoding === 'utf-32be') return decodeUtf32(body, encoding === 'utf-32le');
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new AppError('ERR_HTTP_BAD_REQUEST', { detail: 'There was an error parsing the body' });
  }
}

/** TextDecoder has no UTF-32. */
function decodeUtf32(bytes: Uint8Array, littleEndian: boolean): string {
  if (bytes.length % 4 !== 0) throw new RangeError('truncated UTF-32');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new RangeError('invalid code point');
    parts.push(String.fromCodePoint(cp));
  }
  return parts.join('');
}

/** Deletes `__proto__` keys everywhere and `prototype` keys inside `constructor` objects (own data properties). */
function removePoisonKeys(value: unknown): void {
  const stack: { node: unknown; underConstructor: boolean }[] = [{ node: value, underConstructor: false }];
  while (stack.length > 0) {
    const { node, underConstructor } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push({ node: item, underConstructor: false });
      continue;
    }
    const record = node as Record<string, unknown>;
    if (Object.hasOwn(record, '__proto__')) delete record['__proto__'];
    if (underConstructor && Object.hasOwn(record, 'prototype')) delete record.prototype;
    for (const key of Object.keys(record)) stack.push({ node: record[key], underConstructor: key === 'constructor' });
  }
}

/**
 * Parses a JSON request body. Returns `undefined` for an empty body (the schema then reports the body missing);
 * a body of blanks only is invalid JSON, as in Python. (decodeJsonBytes has already skipped one byte-order mark.)
 * Throws AppError: ERR_HTTP_MALFORMED_JSON (422) or ERR_HTTP_STRING_TOO_LONG (413).
 */
export function parseJsonBody(text: string, options: JsonBodyOptions): unknown {
  if (text === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(text);
  }
  let seedText: string | undefined;
  if (needsWalk(text, options.maxStringBytes)) {
    const walked = scan(text, options.maxStringBytes);
    seedText = walked.seedText;
    if (walked.poisoned) removePoisonKeys(value);
  } else if (text.includes('"seed"')) {
    const sole = soleSeedText(text, value);
    seedText = sole === null ? scan(text, options.maxStringBytes).seedText : sole;
  } else return value;
  if (seedText !== undefined && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    Object.defineProperty(value, SEED_SOURCE, { value: seedText, enumerable: false });
  }
  return value;
}

/**
 * Whether only the walk can check `text`: a key can only be `__proto__` or `prototype` if those letters appear
 * literally or behind an escape, and no string can be longer than the limit when the whole body is not. Most
 * bodies skip the walk, which costs about as much as JSON.parse itself.
 */
function needsWalk(text: string, maxStringBytes: number): boolean {
  // One search for the letters both keys share; a UTF-16 unit is at most 3 UTF-8 bytes.
  return (
    text.includes('\\') ||
    (text.includes('proto') && (text.includes('__proto__') || text.includes('prototype'))) ||
    (text.length * 3 > maxStringBytes && Buffer.byteLength(text, 'utf8') > maxStringBytes)
  );
}

/**
 * The top-level seed's source text without the walk, in the common case: valid JSON with no backslash, where
 * `"seed"` occurs once. Without escapes every occurrence of `"seed"` is a string token equal to seed (a closing
 * quote cannot be followed by a letter), and a top-level numeric seed needs one such key token: so a single
 * occurrence is that key, and its number follows the colon. `undefined` when there is no numeric top-level seed;
 * null when the text holds more than one occurrence and only the walk can tell which is the top-level key.
 */
function soleSeedText(text: string, value: unknown): string | null | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (typeof (value as { seed?: unknown }).seed !== 'number') return undefined;
  const at = text.indexOf('"seed"');
  if (at < 0 || text.indexOf('"seed"', at + 1) >= 0) return null;
  let i = at + '"seed"'.length;
  while (i < text.length && !isNumberStart(text.charCodeAt(i))) i += 1;
  if (i === text.length) return null;
  let j = i + 1;
  while (j < text.length && isNumberChar(text.charCodeAt(j))) j += 1;
  return text.slice(i, j);
}

function isNumberStart(c: number): boolean {
  return c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39);
}

/**
 * Walks valid JSON text once; returns the source text of the last top-level `seed` number, if any, and whether a
 * key to remove (`__proto__`, or `prototype` inside `constructor`) occurs.
 */
function scan(text: string, maxStringBytes: number): { seedText: string | undefined; poisoned: boolean } {
  const stack: Frame[] = [];
  let seedText: string | undefined;
  let poisoned = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          j += 2;
        } else {
          j += 1;
        }
      }
      // A UTF-16 unit is at most 3 UTF-8 bytes and an escape never decodes longer than it is written,
      // so only long tokens need measuring.
      const rawUnits = j - i - 1;
      let decoded: string | undefined;
      if (rawUnits * 3 > maxStringBytes) {
        decoded = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        if (Buffer.byteLength(decoded, 'utf8') > maxStringBytes) {
          throw new AppError('ERR_HTTP_STRING_TOO_LONG');
        }
      }
      const top = stack[stack.length - 1];
      if (top !== undefined && top.isObject && top.expectKey) {
        const key = decoded ?? (escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j));
        if (key === '__proto__' || (key === 'prototype' && top.underConstructor)) poisoned = true;
        top.key = key;
        top.expectKey = false;
        if (stack.length === 1 && key === 'seed') seedText = undefined;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parent = stack[stack.length - 1];
      const isObject = c === 0x7b;
      stack.push({
        isObject,
        expectKey: isObject,
        key: null,
        underConstructor: isObject && parent !== undefined && parent.isObject && parent.key === 'constructor',
      });
      i += 1;
      continue;
    }
    if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i += 1;
      continue;
    }
    if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.isObject) {
        top.expectKey = true;
        top.key = null;
      }
      i += 1;
      continue;
    }
    if (isNumberStart(c)) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j += 1;
      const top = stack[stack.length - 1];
      if (stack.length === 1 && top !== undefined && top.isObject && top.key === 'seed') seedText = text.slice(i, j);
      i = j;
      continue;
    }
    // Whitespace, ':' and the letters of true/false/null.
    i += 1;
  }
  return { seedText, poisoned };
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;
}

const INT63_MAX = (1n << 63n) - 1n;

/**
 * The exact value of a JSON number's source text when it is an integer in [0, 2^63-1] (fractions and exponents
 * allowed when the value is integral, e.g. `42.0`, `4.2e1`); otherwise null.
 */
export function exactSeedFromText(text: string): bigint | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) return null;
  const [, sign, intPart, fracPart = '', expPart = '0'] = match;
  const digits = (intPart! + fracPart).replace(/^0+/, '');
  if (digits === '') return 0n;
  if (sign === '-') return null;
  // Exponents beyond a few dozen either overflow 2^63 or leave a fraction: decide without building huge numbers.
  const exp = Number(expPart) - fracPart.length;
  if (!Number.isFinite(exp) || exp + digits.length > 20) return null;
  let value: bigint;
  if (exp >= 0) {
    value = BigInt(digits) * 10n ** BigInt(exp);
  } else {
    const keep = digits.length + exp;
    if (!/^0*$/.test(digits.slice(Math.max(0, keep)))) return null;
    value = keep <= 0 ? 0n : BigInt(digits.slice(0, keep));
  }
  return value <= INT63_MAX ? value : null;
}

/** The request's seed exactly: from the source text when the body came through parseJsonBody. */
export function exactSeedOf(body: object, parsedSeed: number | null | undefined): bigint | null {
  if (parsedSeed === null || parsedSeed === undefined) return null;
  const source = (body as { [SEED_SOURCE]?: string })[SEED_SOURCE];
  if (source !== undefined) return exactSeedFromText(source);
  return Number.isSafeInteger(parsedSeed) && parsedSeed >= 0 ? BigInt(parsedSeed) : null;
}
