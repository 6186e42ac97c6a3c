import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { NonCanonicalValueError, canonicalJson } from '../../../src/http/quote/canonical-json.js';
import { capsuleId, requestHash, seedFromLineage, seedLineage } from '../../../src/http/quote/hashing.js';
import { CAPSULE_KIND, IDEMPOTENCY_KIND, capsuleText, createQuoteRecords } from '../../../src/http/quote/records.js';
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
  it('the request hash ignores key order', () => {
    assert.equal(requestHash({ a: 1, b: { c: 2, d: 3 } }), requestHash({ b: { d: 3, c: 2 }, a: 1 }));
    assert.equal(requestHash({ a: 1 }), createHash('sha256').update('{"a":1}').digest('hex'));
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
