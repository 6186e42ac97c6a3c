/**
 * What the fuzz tests share (test/http/fuzz.test.ts, test/http/quote/quote-fuzz.test.ts,
 * test/http/surface-fuzz.test.ts): editing a valid body at a path, writing it as JSON with huge integers intact,
 * and posting raw text through a real socket.
 */

import fc from 'fast-check';

/** A value that removes the member at its path instead of setting it. */
export const DELETE: unique symbol = Symbol('delete');

/**
 * Values of every JSON kind for a field, whatever it expects: any double or integer, integers past 2^64 (written
 * as digits by toJson), booleans, null, removal, strings of any UTF-16 units, arrays and objects.
 */
export const anyKindOfValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(DELETE),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);

export type FieldPath = readonly (string | number)[];

/**
 * A copy of `target` with `value` at `path` (or the member removed, for DELETE); `target` itself when the path
 * runs through something that is not an object. The empty path replaces the whole value.
 */
export function setAt(target: unknown, path: FieldPath, value: unknown): unknown {
  if (path.length === 0) return value === DELETE ? {} : value;
  if (typeof target !== 'object' || target === null) return target;
  const root = structuredClone(target) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = root;
  for (let i = 0; i < path.length - 1; i += 1) {
    const next = node[path[i]!];
    if (typeof next !== 'object' || next === null) return root;
    node = next as Record<string | number, unknown>;
  }
  const key = path[path.length - 1]!;
  if (value === DELETE) delete node[key];
  // defineProperty, not assignment: a `__proto__` key must become an own member, as JSON.parse would make it.
  else Object.defineProperty(node, key, { value, enumerable: true, configurable: true, writable: true });
  return root;
}

/** JSON text, with bigints written as their digits (so huge integers reach the parser as numbers). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `__BIG${v.toString()}__` : v)).replace(
    /"__BIG(-?\d+)__"/g,
    '$1',
  );
}

export interface RawAnswer {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

/** POSTs `body` as it is, with a bearer token, over a real socket, and counts the answer's status in `statuses`. */
export async function postRaw(
  url: string,
  token: string,
  body: string,
  statuses: Map<number, number>,
): Promise<RawAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  return { status: response.status, text, headers: response.headers };
}
