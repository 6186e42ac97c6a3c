import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import fc from 'fast-check';
import { NonCanonicalValueError, canonicalJson } from '../../../src/http/canonical-json.js';
import { canonicalQuoteText, canonicalResponseText } from '../../../src/http/quote/canonical-shapes.js';
import type { NormalisedQuote } from '../../../src/http/quote/normalise.js';
import type { QuoteResponse } from '../../../src/core/quote-api.js';
import { capsuleId, seedFromLineage, seedLineage } from '../../../src/http/quote/hashing.js';
import { identifyQuote } from '../../../src/http/quote/quote-engine.js';
import { CAPSULE_KIND, IDEMPOTENCY_KIND, capsuleText, createQuoteRecords } from '../../../src/http/quote/records.js';
import type { DocumentStore } from '../../../src/store/document-store.js';
import { createSweeper } from '../../../src/http/quote/sweeper.js';
import { MemoryDocumentStore } from '../../../src/store/memory-document-store.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth, writes no spaces and drops undefined members', () => {
    assert.equal(
      canonicalJson({ b: 1, a: [{ z: true, y: null }, 'x'], c: undefined }),
      '{"a":[{"y":null,"z":true},"x"],"b":1}',
    );
  });
  it('refuses NaN and the infinities, naming where they are', () => {
    assert.throws(
      () => canonicalJson({ a: [1, Number.NaN] }),
      (e: unknown) => e instanceof NonCanonicalValueError && /\$\.a\[1\]/.test(e.message),
    );
    assert.throws(() => canonicalJson(Number.POSITIVE_INFINITY), NonCanonicalValueError);
  });
  it('orders keys by UTF-16 code units: numeric-looking keys as strings, astral characters before U+E000-U+FFFF', () => {
    // Integer-like keys come first in an object's own order; canonical order treats them as the strings they are.
    assert.equal(canonicalJson({ a: 3, 10: 1, 9: 2, '1e3': 4, '-1': 5 }), '{"-1":5,"10":1,"1e3":4,"9":2,"a":3}');
    // Code-point order would put U+1F600 after U+FF5E; UTF-16 puts its high surrogate (U+D83D) first.
    assert.equal(
      canonicalJson({ '\uff5e': 1, '\u{1f600}': 2, é: 3, z: 4, Z: 5, '': 6 }),
      '{"":6,"Z":5,"z":4,"é":3,"\u{1f600}":2,"\uff5e":1}',
    );
    assert.equal(canonicalJson({ 'a\u0000': 1, a: 2, 'a"': 3 }), '{"a":2,"a\\u0000":1,"a\\"":3}');
  });
  it('writes numbers in their shortest round-trip form: -0 as 0, exponents as JavaScript does', () => {
    assert.equal(
      canonicalJson([-0, 0, 1e21, 1e-7, 123e-20, 5e-324, 2 ** 53, 0.1 + 0.2, -1.5e300, 100]),
      '[0,0,1e+21,1e-7,1.23e-18,5e-324,9007199254740992,0.30000000000000004,-1.5e+300,100]',
    );
    assert.throws(() => canonicalJson({ b: { c: Number.NEGATIVE_INFINITY } }), /\$\.b\.c is -Infinity/);
    assert.throws(() => canonicalJson([Number.NaN]), /\$\[0\] is NaN/);
  });
  it('agrees with a sort-and-stringify reference on objects of every size, and on more distinct keys than it caches', () => {
    const reference = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
      if (typeof v === 'object' && v !== null) {
        const record = v as Record<string, unknown>;
        return `{${Object.keys(record)
          .sort()
          .filter((k) => record[k] !== undefined)
          .map((k) => `${JSON.stringify(k)}:${reference(record[k])}`)
          .join(',')}}`;
      }
      return JSON.stringify(v);
    };
    let seed = 7;
    const next = (): number => (seed = (seed * 48_271) % 2_147_483_647);
    const keyOf = (): string =>
      String.fromCharCode(...Array.from({ length: 1 + (next() % 3) }, () => 32 + (next() % 300)));
    for (let n = 0; n <= 40; n++) {
      const value: Record<string, unknown> = {};
      for (let i = 0; i < n; i++)
        value[keyOf()] = next() % 5 === 0 ? undefined : { [keyOf()]: [next() / 7, 'x', null, true] };
      assert.equal(canonicalJson(value), reference(value), `${n} keys`);
    }
    const wide = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${(i * 7919) % 3000}`, i]));
    assert.equal(canonicalJson(wide), reference(wide));
    assert.equal(canonicalJson(wide), reference(wide), 'again, with the key cache full');
  });
  it("the quote and response writers give canonicalJson's bytes for every shape, and refuse what it refuses", () => {
    const anyNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324));
    const text = fc.string({ unit: 'binary', maxLength: 6 });
    const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
    const greekFlags = fc.record({
      delta: fc.boolean(),
      gamma: fc.boolean(),
      vega: fc.boolean(),
      theta: fc.boolean(),
      rho: fc.boolean(),
    });
    const params = fc.dictionary(
      fc.constantFrom('paths', 'steps', 'antithetic', 'use_cv', 'use_qmc', 'seed_prefix'),
      fc.oneof(anyNumber, fc.boolean(), text),
    );
    const quote = fc.record(
      {
        contract: fc.record({
          symbol: text,
          strike_price: anyNumber,
          time_to_expiry: anyNumber,
          option_type: fc.constantFrom('call', 'put'),
          exercise_style: fc.constantFrom('european', 'american'),
        }),
        market: fc.record({ spot_price: anyNumber, risk_free_rate: anyNumber, dividend_yield: anyNumber }),
        volatility: anyNumber,
        model: fc.record({ family: fc.constantFrom('black_scholes', 'monte_carlo', 'binomial'), params }),
        greeks: greekFlags,
        precision: fc.record({ target_ci_bps: anyNumber, max_paths: anyNumber }, { requiredKeys: [] }),
        surface: text,
      },
      { requiredKeys: ['contract', 'market', 'model', 'greeks'] },
    ) as fc.Arbitrary<NormalisedQuote>;
    const greekValues = fc.record(
      { delta: anyNumber, gamma: anyNumber, vega: anyNumber, theta: anyNumber, rho: anyNumber },
      { requiredKeys: [] },
    );
    const response = fc.record(
      {
        theoretical_price: anyNumber,
        greeks: greekValues,
        ci: fc.record({
          half_width_abs: anyNumber,
          half_width_bps: fc.option(anyNumber),
          paths_used: anyNumber,
          vr_pipeline: text,
          paths_requested: optional(anyNumber),
        }),
        capsule_id: text,
        model_used: fc.record({ family: fc.constantFrom('black_scholes', 'monte_carlo'), params }),
        seed_lineage: text,
        surface_id: text,
        ci_greeks: fc.dictionary(
          fc.constantFrom('delta', 'gamma', 'rho'),
          fc.record({ standard_error: anyNumber, half_width_abs: anyNumber }),
        ),
        greeks_meta: fc.dictionary(
          fc.constantFrom('vega', 'theta'),
          fc.record({ method: text, paths_used: anyNumber }),
        ),
      },
      { requiredKeys: ['theoretical_price', 'greeks', 'capsule_id', 'model_used', 'seed_lineage'] },
    ) as fc.Arbitrary<QuoteResponse>;
    const same = (write: (value: never) => string, value: unknown): void => {
      let expected: string | Error;
      try {
        expected = canonicalJson(value);
      } catch (error) {
        expected = error as Error;
      }
      if (typeof expected === 'string') assert.equal(write(value as never), expected);
      else assert.throws(() => write(value as never), { name: 'NonCanonicalValueError', message: expected.message });
    };
    fc.assert(
      fc.property(quote, (q) => same(canonicalQuoteText, q)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(response, (r) => same(canonicalResponseText, r)),
      { numRuns: 2000 },
    );
  });
  it("a quote's request hash is the SHA-256 of its canonical JSON, whatever the key order", () => {
    const quote = {
      contract: {
        symbol: 'ABC',
        strike_price: 100,
        time_to_expiry: 0.5,
        option_type: 'call',
        exercise_style: 'european',
      },
      market: { spot_price: 101, risk_free_rate: 0.03, dividend_yield: 0.01 },
      volatility: 0.2,
      model: { family: 'monte_carlo', params: { paths: 20000, seed_prefix: 'run-7' } },
      greeks: { delta: true, gamma: false, vega: true, theta: false, rho: false },
    } as NormalisedQuote;
    const reversed = (value: unknown): unknown =>
      typeof value === 'object' && value !== null
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reversed(v)]),
          )
        : value;
    const identity = identifyQuote(quote);
    assert.deepEqual(identifyQuote(reversed(quote) as NormalisedQuote), identity);
    assert.equal(identity.requestText, canonicalJson(quote));
    assert.equal(identity.requestHash, createHash('sha256').update(canonicalJson(quote)).digest('hex'));
  });
});

describe('lineage, seeds and capsule ids', () => {
  it('lineage upper-cases a prefix, else uses the hash', () => {
    assert.equal(seedLineage('desk-7', 'h', 3), 'DESK-7:3');
    assert.equal(seedLineage(undefined, 'abc', 0), 'abc:0');
  });
  it('seeds are the first 63 bits of the lineage hash', () => {
    const digest = createHash('sha256').update('L:1').digest();
    assert.equal(seedFromLineage('L:1'), digest.readBigUInt64BE(0) & ((1n << 63n) - 1n));
    assert.notEqual(seedFromLineage('L:1'), seedFromLineage('L:2'));
  });
  it('capsule ids change with each of their parts', () => {
    const base = {
      requestText: canonicalJson({ a: 1 }),
      modelUsed: { family: 'black_scholes', params: {} },
      surfaceId: null,
      lineage: 'h:0',
      buildId: 'b',
    };
    const ids = new Set([
      capsuleId(base),
      capsuleId({ ...base, requestText: canonicalJson({ a: 2 }) }),
      capsuleId({ ...base, modelUsed: { family: 'binomial', params: {} } }),
      capsuleId({ ...base, surfaceId: 's' }),
      capsuleId({ ...base, lineage: 'h:1' }),
      capsuleId({ ...base, buildId: 'c' }),
    ]);
    assert.equal(ids.size, 6);
  });
  it('a capsule id is SHA-256 of the canonical array of its parts', () => {
    const request = { z: 'q"uote', a: [1.5, -0] };
    const modelUsed = { params: { steps: 200 }, family: 'binomial' };
    const expected = createHash('sha256')
      .update(canonicalJson([request, modelUsed, 'surf', 'L\n:0', 'build "x"']))
      .digest('hex');
    assert.equal(
      capsuleId({
        requestText: canonicalJson(request),
        modelUsed,
        surfaceId: 'surf',
        lineage: 'L\n:0',
        buildId: 'build "x"',
      }),
      expected,
    );
  });
  it('the capsule text written from canonical pieces is the canonical JSON of the capsule', () => {
    const request = { contract: { symbol: 'A"B' }, b: [1, 2] };
    const response = { theoretical_price: 1.25, greeks: { rho: 0.1, delta: 0.5 } };
    const text = capsuleText({
      requestText: canonicalJson(request),
      responseText: canonicalJson(response),
      index: 7,
      lineage: 'P:7',
      buildId: 'b\u0001',
    });
    assert.equal(text, canonicalJson({ response, request, lineage: 'P:7', index: 7, build_id: 'b\u0001' }));
  });
});

describe('record expiry and the sweeper', () => {
  it('capsules expire after the retention days, idempotency records after 600 s, and the sweeper removes them in batches', async () => {
    const store = new MemoryDocumentStore();
    let now = new Date('2026-12-01T00:00:00.000Z');
    const records = createQuoteRecords({ store, capsuleRetentionDays: 2, now: () => now });
    const response = {
      theoretical_price: 1,
      greeks: {},
      capsule_id: 'c1',
      model_used: { family: 'black_scholes' as const, params: {} },
      seed_lineage: 'h:0',
    };
    const request = {
      contract: {
        symbol: 'A',
        strike_price: 1,
        time_to_expiry: 1,
        option_type: 'call' as const,
        exercise_style: 'european' as const,
      },
      market: { spot_price: 1, risk_free_rate: 0, dividend_yield: 0 },
      model: { family: 'black_scholes' as const, params: {} },
      greeks: { delta: true, gamma: true, vega: true, theta: true, rho: true },
    };
    await records.saveCapsule('c1', canonicalJson({ request, index: 0, lineage: 'h:0', build_id: 'b', response }));
    for (let i = 0; i < 5; i++)
      await records.rememberIdempotent(`k${i}`, { route: '/quote', request_hash: 'h', body: '{}' });

    now = new Date(now.getTime() + 601_000);
    assert.equal(await records.findIdempotent('k0'), null);
    assert.notEqual(await records.loadCapsule('c1'), null);

    const swept = new Counter({ name: 'swept_test_total', help: 'test', registers: [new Registry()] });
    const sweeper = createSweeper({
      store,
      intervalMs: 60_000,
      batchSize: 2,
      maxBatches: 10,
      logger: pino({ level: 'silent' }),
      swept,
      now: () => now,
    });
    assert.equal(await sweeper.sweep(), 5);
    assert.equal((await store.list(IDEMPOTENCY_KIND, { now: new Date(0), limit: 10 })).length, 0);

    now = new Date(Date.parse('2026-12-03T00:00:00.000Z'));
    assert.equal(await records.loadCapsule('c1'), null);
    assert.equal(await sweeper.sweep(), 1);
    assert.equal((await store.list(CAPSULE_KIND, { now: new Date(0), limit: 10 })).length, 0);
    assert.equal((await swept.get()).values[0]?.value, 6);
    await sweeper.stop();
  });
});

/** A memory store that counts the capsule puts it is asked for. */
function countingStore(): { store: DocumentStore; capsulePuts: () => number } {
  const inner = new MemoryDocumentStore();
  let puts = 0;
  const store: DocumentStore = {
    putIfAbsent: (kind, id, body, options) => {
      if (kind === CAPSULE_KIND) puts += 1;
      return inner.putIfAbsent(kind, id, body, options);
    },
    get: (kind, id, now) => inner.get(kind, id, now),
    list: (kind, options) => inner.list(kind, options),
    deleteExpired: (now, limit) => inner.deleteExpired(now, limit),
  };
  return { store, capsulePuts: () => puts };
}

describe('known capsules: an identical quote does not write its capsule again', () => {
  const DAY = 86_400_000;
  const text = (n: number): string => `{"n":${n}}`;

  it('writes a capsule once while it is stored and unexpired, and again once it has expired', async () => {
    const { store, capsulePuts } = countingStore();
    let now = new Date('2026-12-01T00:00:00.000Z');
    const records = createQuoteRecords({ store, capsuleRetentionDays: 2, now: () => now });
    assert.equal(await records.saveCapsule('c1', text(1)), true);
    assert.equal(await records.saveCapsule('c1', text(1)), false);
    now = new Date(now.getTime() + 2 * DAY - 1);
    assert.equal(await records.saveCapsule('c1', text(1)), false);
    assert.equal(capsulePuts(), 1);
    // Retention runs from the first write: a repeat does not extend it.
    const first = await store.get(CAPSULE_KIND, 'c1', now);
    assert.equal(first?.expiresAt, '2026-12-03T00:00:00.000Z');

    now = new Date('2026-12-03T00:00:00.000Z');
    assert.equal(await records.loadCapsule('c1'), null, 'expired');
    assert.equal(await records.saveCapsule('c1', text(1)), true, 'rewritten after expiry');
    assert.equal(capsulePuts(), 2);
    assert.deepEqual(await records.loadCapsule('c1'), { n: 1 });
    assert.equal((await store.get(CAPSULE_KIND, 'c1', now))?.expiresAt, '2026-12-05T00:00:00.000Z');
  });

  it('knows capsules it read and ones another instance wrote, keeps a bounded number, and can be turned off', async () => {
    const { store, capsulePuts } = countingStore();
    const now = new Date('2026-12-01T00:00:00.000Z');
    const a = createQuoteRecords({ store, capsuleRetentionDays: 30, now: () => now });
    await a.saveCapsule('shared', text(0));
    // Instance b: its first save of the same capsule finds it stored (no write) and remembers it.
    const b = createQuoteRecords({ store, capsuleRetentionDays: 30, now: () => now, knownCapsules: 2 });
    assert.equal(await b.saveCapsule('shared', text(0)), false);
    assert.equal(capsulePuts(), 2);
    assert.equal(await b.saveCapsule('shared', text(0)), false);
    assert.equal(capsulePuts(), 2);
    // Reading a capsule makes it known too.
    await a.saveCapsule('read', text(1));
    await b.loadCapsule('read');
    const before = capsulePuts();
    await b.saveCapsule('read', text(1));
    assert.equal(capsulePuts(), before);
    // Two known at most: a third evicts the least recently used ('shared').
    await b.saveCapsule('third', text(2));
    const puts = capsulePuts();
    await b.saveCapsule('read', text(1));
    assert.equal(capsulePuts(), puts, 'still known');
    await b.saveCapsule('shared', text(0));
    assert.equal(capsulePuts(), puts + 1, 'evicted, so put again (and found stored)');

    const off = createQuoteRecords({ store, capsuleRetentionDays: 30, now: () => now, knownCapsules: 0 });
    await off.saveCapsule('shared', text(0));
    await off.saveCapsule('shared', text(0));
    assert.equal(capsulePuts(), puts + 3);
  });
});
