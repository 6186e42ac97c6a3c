import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AppError } from '../../src/http/errors.js';
import {
  SEED_SOURCE,
  decodeJsonBytes,
  exactSeedFromText,
  exactSeedOf,
  maxStringBytesFor,
  parseJsonBody,
} from '../../src/http/json-body.js';

const options = { maxStringBytes: 128 };
/** Long enough that no generated body needs the walk for its length. */
const wideOptions = { maxStringBytes: 4096 };

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the parser to refuse the body');
}

describe('parseJsonBody', () => {
  it('parses ordinary JSON like JSON.parse', () => {
    assert.deepEqual(parseJsonBody('{"a":[1,2,{"b":"c"}],"d":null,"e":true}', options), {
      a: [1, 2, { b: 'c' }],
      d: null,
      e: true,
    });
  });

  it('gives every check the same answer whether or not the body is short and plain enough to skip the walk', () => {
    // Short plain bodies skip the walk; each variant below adds one thing that makes the walk necessary.
    const wide = { maxStringBytes: 64 };
    const plain = '{"contracts":[{"strike_price":100}],"model":"black_scholes"}';
    const body = parseJsonBody(plain, wide) as Record<PropertyKey, unknown>;
    assert.deepEqual(body, JSON.parse(plain));
    assert.equal(body[SEED_SOURCE], undefined);
    assert.equal(
      (parseJsonBody('{"seed":18446744073709551615}', wide) as Record<PropertyKey, unknown>)[SEED_SOURCE],
      '18446744073709551615',
    );
    assert.deepEqual(parseJsonBody('{"a":{"__proto__":1}}', wide), { a: {} });
    assert.deepEqual(parseJsonBody('{"a":{"\\u005f_proto__":1}}', wide), { a: {} });
    assert.deepEqual(parseJsonBody('{"constructor":{"prototype":1}}', wide), { constructor: {} });
    assert.equal(
      refusal(() => parseJsonBody(JSON.stringify({ name: 'x'.repeat(65) }), wide)).code,
      'ERR_HTTP_STRING_TOO_LONG',
    );
    assert.deepEqual(parseJsonBody(JSON.stringify({ name: 'x'.repeat(64) }), wide), { name: 'x'.repeat(64) });
  });

  it('returns undefined for an empty body, and refuses a blank one or a second BOM as Python does', () => {
    assert.equal(parseJsonBody('', options), undefined);
    assert.equal(decodeJsonBytes(Buffer.from('\ufeff\ufeff{}')), '\ufeff{}', 'one BOM is skipped, not two');
    assert.deepEqual(refusal(() => parseJsonBody(' \n\t', options)).detail, [
      {
        type: 'json_invalid',
        loc: ['body', 3],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: 'Expecting value' },
      },
    ]);
    assert.deepEqual(
      (refusal(() => parseJsonBody('\ufeff{}', options)).detail as readonly { loc: unknown }[])[0]!.loc,
      ['body', 0],
    );
  });

  it("refuses malformed JSON with a 422 at Python's offset and reason", () => {
    const cases: [string, number, string][] = [
      ['{', 1, 'Expecting property name enclosed in double quotes'],
      ['{"a":}', 5, 'Expecting value'],
      ["{'a':1}", 1, 'Expecting property name enclosed in double quotes'],
      ['[1,]', 3, 'Expecting value'],
      ['NaN', 0, 'Expecting value'],
      ['{"a":1}x', 7, 'Extra data'],
      ['{"a":01}', 6, "Expecting ',' delimiter"],
      ['{"a" 1}', 5, "Expecting ':' delimiter"],
      ['{"a":"\\x41"}', 6, 'Invalid \\escape'],
      ['{"a":"b', 5, 'Unterminated string starting at'],
    ];
    for (const [text, position, reason] of cases) {
      const error = refusal(() => parseJsonBody(text, options));
      assert.equal(error.code, 'ERR_HTTP_MALFORMED_JSON', text);
      assert.equal(error.statusCode, 422);
      assert.deepEqual(
        error.detail,
        [
          {
            type: 'json_invalid',
            loc: ['body', position],
            msg: 'JSON decode error',
            input: {},
            ctx: { error: reason },
          },
        ],
        text,
      );
    }
  });

  it('removes __proto__ keys anywhere, also when written with escapes, and never merges them', () => {
    const cases: [string, unknown][] = [
      ['{"__proto__":{"x":1}}', {}],
      ['{"a":[{"__proto__":1}]}', { a: [{}] }],
      ['{"\\u005f_proto__":1,"b":2}', { b: 2 }],
    ];
    for (const [text, want] of cases) {
      const value = parseJsonBody(text, options) as Record<string, unknown>;
      assert.deepEqual(value, want, text);
      assert.equal(Object.getPrototypeOf(value), Object.prototype, text);
      assert.equal((value as { x?: unknown }).x, undefined, text);
    }
  });

  it('removes a prototype key inside a constructor object, and keeps constructor otherwise', () => {
    assert.deepEqual(parseJsonBody('{"a":{"constructor":{"prototype":{"x":1}}}}', options), { a: { constructor: {} } });
    assert.deepEqual(parseJsonBody('{"constructor":{"name":"x"},"prototype":1}', options), {
      constructor: { name: 'x' },
      prototype: 1,
    });
  });

  it("decodes bodies as Python's json.loads: UTF-8 with or without BOM, UTF-16 and UTF-32 by BOM or zero bytes", () => {
    const text = '{"s":"é€𝄞"}';
    const utf16le = Buffer.from(text, 'utf16le');
    const utf16be = Buffer.from(utf16le).swap16();
    const utf32 = (le: boolean): Buffer => {
      const cps = [...text].map((c) => c.codePointAt(0)!);
      const b = Buffer.alloc(cps.length * 4);
      cps.forEach((cp, i) => (le ? b.writeUInt32LE(cp, i * 4) : b.writeUInt32BE(cp, i * 4)));
      return b;
    };
    const bodies = [
      Buffer.from(text),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
      utf16le,
      utf16be,
      Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]),
      utf32(true),
      utf32(false),
      Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32(true)]),
      Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32(false)]),
    ];
    for (const [i, bytes] of bodies.entries()) assert.equal(decodeJsonBytes(bytes), text, `body ${i}`);
    const invalid = refusal(() => decodeJsonBytes(Buffer.from([0x7b, 0xff, 0x7d])));
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.detail, 'There was an error parsing the body');
  });

  it('refuses a string longer than the limit in UTF-8 bytes with 413, counting decoded escapes', () => {
    assert.deepEqual(parseJsonBody(`{"s":"${'a'.repeat(128)}"}`, options), { s: 'a'.repeat(128) });
    const long = refusal(() => parseJsonBody(`{"s":"${'a'.repeat(129)}"}`, options));
    assert.equal(long.statusCode, 413);
    assert.equal(long.detail, 'Payload too large');
    // 43 three-byte characters = 129 bytes although only 43 UTF-16 units.
    assert.equal(refusal(() => parseJsonBody(`["${'€'.repeat(43)}"]`, options)).statusCode, 413);
    // 100 escapes of 6 characters decode to 100 bytes: allowed.
    assert.deepEqual(parseJsonBody(`["${'\\u0041'.repeat(100)}"]`, options), ['A'.repeat(100)]);
    // Keys count as strings too.
    assert.equal(refusal(() => parseJsonBody(`{"${'k'.repeat(200)}":1}`, options)).statusCode, 413);
  });

  it('does not recurse: 100,000 levels of nesting parse without a stack overflow', () => {
    const depth = 100_000;
    const text = '['.repeat(depth) + ']'.repeat(depth);
    assert.ok(Array.isArray(parseJsonBody(text, options)));
  });

  it('keeps the top-level seed source text, the last one when the key repeats', () => {
    const body = parseJsonBody('{"seed": 9223372036854775807, "x": {"seed": 5}}', options) as Record<
      PropertyKey,
      unknown
    >;
    assert.equal(body[SEED_SOURCE], '9223372036854775807');
    const repeated = parseJsonBody('{"seed": 1, "se\\u0065d": 18446744073709551615}', options) as Record<
      PropertyKey,
      unknown
    >;
    assert.equal(repeated[SEED_SOURCE], '18446744073709551615');
    const replaced = parseJsonBody('{"seed": 1, "seed": "two"}', options) as Record<PropertyKey, unknown>;
    assert.equal(replaced[SEED_SOURCE], undefined);
    assert.deepEqual(Object.keys(body), ['seed', 'x']);
  });

  it('finds the same seed source text without the walk as with it, wherever "seed" appears', () => {
    // A "prototype" string value makes the walk run without changing the answer: the walk is the oracle for the
    // short path taken when the body has no backslash and "seed" occurs at most once.
    const seedNumber = fc.oneof(
      fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }).map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
      fc.constantFrom('42.0', '4.2e1', '1E+2', '0', '-0', '18446744073709551615'),
    );
    const space = fc.constantFrom('', ' ', '\n\t ');
    const seedMember = fc.tuple(space, space, seedNumber).map(([a, b, n]) => `"seed"${a}:${b}${n}`);
    const otherMember = fc.constantFrom(
      '"x":{"seed":5}',
      '"name":"seed"',
      '"list":["seed",1]',
      '"seeds":7',
      '"seed":"text"',
      '"y":[{"seed":-1}]',
      '"z":1',
    );
    const body = fc
      .array(fc.oneof(seedMember, otherMember), { maxLength: 4 })
      .map((members) => `{${members.join(',')}}`);
    fc.assert(
      fc.property(body, (text) => {
        const fast = parseJsonBody(text, wideOptions) as Record<PropertyKey, unknown>;
        const walked = parseJsonBody(
          `${text.slice(0, -1)}${text.length > 2 ? ',' : ''}"pad":"prototype"}`,
          wideOptions,
        ) as Record<PropertyKey, unknown>;
        assert.equal(fast[SEED_SOURCE], walked[SEED_SOURCE], text);
        assert.deepEqual(fast, JSON.parse(text));
      }),
    );
  });

  it('derives the string limit as max(128, MAX_BODY_BYTES / 32)', () => {
    assert.equal(maxStringBytesFor(1024), 128);
    assert.equal(maxStringBytesFor(1_048_576), 32_768);
  });
});

describe('exactSeedFromText', () => {
  it('reads integers exactly, beyond 2^53', () => {
    assert.equal(exactSeedFromText('0'), 0n);
    assert.equal(exactSeedFromText('9007199254740993'), 9007199254740993n);
    assert.equal(exactSeedFromText('9223372036854775807'), 9223372036854775807n);
  });

  it('accepts integral decimal and exponent forms', () => {
    assert.equal(exactSeedFromText('42.0'), 42n);
    assert.equal(exactSeedFromText('4.2e1'), 42n);
    assert.equal(exactSeedFromText('100E-2'), 1n);
    assert.equal(exactSeedFromText('-0'), 0n);
    assert.equal(exactSeedFromText('0e999999'), 0n);
  });

  it('refuses fractions, negatives and values above 2^63-1, including ones a double would round away', () => {
    for (const text of [
      '0.5',
      '9007199254740993.5',
      '-1',
      '9223372036854775808',
      '18446744073709551616',
      '1e19',
      '1e-999999',
      '1e999999999999999999',
    ]) {
      assert.equal(exactSeedFromText(text), null, text);
    }
  });

  it('exactSeedOf prefers the source text over the rounded number', () => {
    const body = parseJsonBody('{"seed": 9007199254740993}', options) as { seed: number };
    assert.equal(body.seed, 9007199254740992);
    assert.equal(exactSeedOf(body, body.seed), 9007199254740993n);
    assert.equal(exactSeedOf({}, 7), 7n);
    assert.equal(exactSeedOf({}, null), null);
  });
});
