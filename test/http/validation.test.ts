import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pricingRequest, startServer } from './support.js';
import type { TestServer } from './support.js';

let server: TestServer;
before(async () => {
  // Small limits so the limit rows are cheap to reach.
  server = await startServer({ env: { OPE_MAX_CONTRACTS: '5', OPE_MAX_RISK_CONTRACTS: '3', MAX_BODY_BYTES: '8192' } });
});
after(async () => {
  await server.close();
});

interface Issue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

async function issues(body: unknown, path = '/api/v1/pricing/batch'): Promise<Issue[]> {
  const response = await server.request(path, { body });
  assert.equal(response.status, 422, `expected 422, got ${response.status}: ${response.text}`);
  assert.deepEqual(Object.keys(response.json).sort(), ['detail', 'request_id']);
  assert.equal(response.json.request_id, response.headers.get('x-request-id'));
  for (const issue of response.json.detail) assert.deepEqual(Object.keys(issue).sort(), ['loc', 'msg', 'type']);
  return response.json.detail;
}

function contract(overrides: Record<string, unknown>): Record<string, unknown> {
  return pricingRequest({ contracts: [{ symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call', ...overrides }] });
}

function market(overrides: Record<string, unknown>): Record<string, unknown> {
  return pricingRequest({ market_data: { spot_price: 100, risk_free_rate: 0.01, volatility: 0.2, ...overrides } });
}

describe('422: schema violations name the field by its JSON path', () => {
  const rows: [string, Record<string, unknown>, (string | number)[], string][] = [
    ['a number sent as a string', contract({ strike_price: '100' }), ['body', 'contracts', 0, 'strike_price'], 'float_type'],
    ['true for a number', contract({ time_to_expiry: true }), ['body', 'contracts', 0, 'time_to_expiry'], 'float_type'],
    ['strike 0', contract({ strike_price: 0 }), ['body', 'contracts', 0, 'strike_price'], 'greater_than'],
    ['strike above 1e9', contract({ strike_price: 1e9 + 1 }), ['body', 'contracts', 0, 'strike_price'], 'less_than_equal'],
    ['expiry above 50 years', contract({ time_to_expiry: 50.5 }), ['body', 'contracts', 0, 'time_to_expiry'], 'less_than_equal'],
    ['an unknown option type', contract({ option_type: 'straddle' }), ['body', 'contracts', 0, 'option_type'], 'enum'],
    ['an unknown exercise style', contract({ exercise_style: 'bermudan' }), ['body', 'contracts', 0, 'exercise_style'], 'enum'],
    ['a fractional quantity', contract({ quantity: 1.5 }), ['body', 'contracts', 0, 'quantity'], 'int_from_float'],
    ['quantity 0', contract({ quantity: 0 }), ['body', 'contracts', 0, 'quantity'], 'greater_than_equal'],
    ['quantity above 1,000,000', contract({ quantity: 1_000_001 }), ['body', 'contracts', 0, 'quantity'], 'less_than_equal'],
    ['an empty symbol', contract({ symbol: '' }), ['body', 'contracts', 0, 'symbol'], 'string_too_short'],
    ['a 21-character symbol', contract({ symbol: 'A'.repeat(21) }), ['body', 'contracts', 0, 'symbol'], 'string_too_long'],
    ['a symbol with punctuation', contract({ symbol: 'AB-C' }), ['body', 'contracts', 0, 'symbol'], 'string_pattern_mismatch'],
    ['a symbol that upper-cases past 20 characters', contract({ symbol: 'ß'.repeat(11) }), ['body', 'contracts', 0, 'symbol'], 'string_pattern_mismatch'],
    ['a missing strike', contract({ strike_price: undefined }), ['body', 'contracts', 0, 'strike_price'], 'missing'],
    ['spot 0', market({ spot_price: 0 }), ['body', 'market_data', 'spot_price'], 'greater_than'],
    ['rate below -1', market({ risk_free_rate: -1.5 }), ['body', 'market_data', 'risk_free_rate'], 'greater_than_equal'],
    ['dividend yield above 1', market({ dividend_yield: 1.5 }), ['body', 'market_data', 'dividend_yield'], 'less_than_equal'],
    ['volatility 0', market({ volatility: 0 }), ['body', 'market_data', 'volatility'], 'greater_than'],
    ['volatility above 5', market({ volatility: 5.01 }), ['body', 'market_data', 'volatility'], 'less_than_equal'],
    ['volatility as a string', market({ volatility: '0.2' }), ['body', 'market_data', 'volatility'], 'float_type'],
    ['an unknown model', pricingRequest({ model: 'black_76' }), ['body', 'model'], 'enum'],
    ['calculate_greeks as a string', pricingRequest({ calculate_greeks: 'true' }), ['body', 'calculate_greeks'], 'bool_type'],
    ['a negative seed', pricingRequest({ seed: -1 }), ['body', 'seed'], 'greater_than_equal'],
    ['a fractional seed', pricingRequest({ seed: 1.5 }), ['body', 'seed'], 'int_from_float'],
    ['a seed as a string', pricingRequest({ seed: '42' }), ['body', 'seed'], 'int_type'],
    ['contracts as an object', pricingRequest({ contracts: { symbol: 'ABC' } }), ['body', 'contracts'], 'list_type'],
    ['market_data as an array', pricingRequest({ market_data: [100] }), ['body', 'market_data'], 'model_attributes_type'],
    ['missing market_data', pricingRequest({ market_data: undefined }), ['body', 'market_data'], 'missing'],
  ];
  for (const [what, body, loc, type] of rows) {
    it(`refuses ${what}`, async () => {
      const found = await issues(body);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.deepEqual(found[0]!.loc, loc);
      assert.equal(found[0]!.type, type);
      assert.ok(found[0]!.msg.length > 0);
    });
  }

  it('lists every problem, one entry each, in one answer', async () => {
    const body = {
      contracts: [
        { symbol: 'OK', strike_price: 100, time_to_expiry: 1, option_type: 'call' },
        { symbol: 'a$', strike_price: '5', time_to_expiry: true, option_type: 'x', quantity: 1.5 },
      ],
      market_data: { spot_price: 0 },
      seed: 9223372036854775808n.toString(),
    };
    const found = await issues(body);
    const locs = found.map((i) => JSON.stringify(i.loc)).sort();
    assert.deepEqual(locs, [
      '["body","contracts",1,"option_type"]',
      '["body","contracts",1,"quantity"]',
      '["body","contracts",1,"strike_price"]',
      '["body","contracts",1,"symbol"]',
      '["body","contracts",1,"time_to_expiry"]',
      '["body","market_data","risk_free_rate"]',
      '["body","market_data","spot_price"]',
      '["body","seed"]',
    ]);
  });

  it('messages read like pydantic\'s', async () => {
    const [strike] = await issues(contract({ strike_price: 0 }));
    assert.equal(strike!.msg, 'Input should be greater than 0');
    const [missing] = await issues(contract({ option_type: undefined }));
    assert.deepEqual(missing, { loc: ['body', 'contracts', 0, 'option_type'], msg: 'Field required', type: 'missing' });
    const [type] = await issues(contract({ option_type: 'x' }));
    assert.equal(type!.msg, "Input should be 'call' or 'put'");
  });

  it('refuses seeds above 2^63-1 read exactly, including 2^63 which a double cannot tell from 2^63-1', async () => {
    for (const seed of ['9223372036854775808', '9223372036854776000', '18446744073709551615', '1e30', '9007199254740993.5']) {
      const text = JSON.stringify(pricingRequest()).replace(/}$/, `,"seed":${seed}}`);
      const found = await issues(text);
      assert.equal(found.length, 1, `${seed}: ${JSON.stringify(found)}`);
      assert.deepEqual(found[0]!.loc, ['body', 'seed'], seed);
    }
  });

  it('accepts a null seed and an integral seed written as 42.0', async () => {
    for (const seed of ['null', '42.0', '0']) {
      const text = JSON.stringify(pricingRequest()).replace(/}$/, `,"seed":${seed}}`);
      const response = await server.request('/api/v1/pricing/batch', { body: text });
      assert.equal(response.status, 200, `${seed}: ${response.text}`);
    }
  });

  it('ignores unknown fields at every level and does not echo them', async () => {
    const body = pricingRequest({ extra: { nested: [1, 2] }, contracts: [{ symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call', note: 'x' }] });
    const response = await server.request('/api/v1/pricing/batch', { body });
    assert.equal(response.status, 200);
    assert.ok(!response.text.includes('nested'));
    assert.ok(!response.text.includes('note'));
  });

  it('refuses malformed JSON with loc ["body"]', async () => {
    for (const text of ['{"contracts": [', '{contracts: []}', '{"a":1,}', 'NaN']) {
      const found = await issues(text);
      assert.equal(found.length, 1);
      assert.deepEqual(found[0]!.loc, ['body']);
      assert.equal(found[0]!.type, 'json_invalid');
    }
  });

  it('refuses a missing, null or non-object body', async () => {
    assert.deepEqual(await issues(''), [{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
    assert.deepEqual(await issues('null'), [{ loc: ['body'], msg: 'Field required', type: 'missing' }]);
    const [array] = await issues('[1,2]');
    assert.deepEqual(array!.loc, ['body']);
    assert.equal(array!.type, 'model_attributes_type');
  });

  it('refuses prototype-poisoning keys with 422 at loc ["body"]', async () => {
    for (const text of ['{"__proto__": {"isAdmin": true}}', '{"market_data": {"constructor": {"prototype": {"x": 1}}}}']) {
      const found = await issues(text);
      assert.deepEqual(found[0]!.loc, ['body']);
    }
  });
});

describe('route checks after the schema', () => {
  it('answers 400 "No contracts provided" for an empty list', async () => {
    for (const path of ['/api/v1/pricing/single', '/api/v1/pricing/batch', '/api/v1/risk/aggregate-greeks']) {
      const response = await server.request(path, { body: pricingRequest({ contracts: [] }) });
      assert.equal(response.status, 400, path);
      assert.deepEqual(response.json, { detail: 'No contracts provided', request_id: response.headers.get('x-request-id') });
    }
  });

  it('answers 400 when the single endpoint gets more than one contract', async () => {
    const c = { symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' };
    const response = await server.request('/api/v1/pricing/single', { body: pricingRequest({ contracts: [c, c] }) });
    assert.equal(response.status, 400);
    assert.equal(response.json.detail, 'Single pricing endpoint expects exactly one contract');
  });

  it('answers 413 "Too many contracts; limit is N" above OPE_MAX_CONTRACTS, and OPE_MAX_RISK_CONTRACTS for risk', async () => {
    const c = { symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call' };
    const six = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ contracts: Array(6).fill(c) }) });
    assert.equal(six.status, 413);
    assert.deepEqual(six.json, { detail: 'Too many contracts; limit is 5', request_id: six.headers.get('x-request-id') });
    const five = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ contracts: Array(5).fill(c) }) });
    assert.equal(five.status, 200);
    const risk = await server.request('/api/v1/risk/aggregate-greeks', { body: pricingRequest({ contracts: Array(4).fill(c) }) });
    assert.equal(risk.status, 413);
    assert.equal(risk.json.detail, 'Too many contracts; limit is 3');
  });

  it('checks the list length before validating its items, so a huge bad list costs one answer', async () => {
    const response = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ contracts: Array(500).fill(1) }) });
    assert.equal(response.status, 413);
  });
});

describe('payload limits', () => {
  function payloadRejections(text: string, route: string): number {
    const match = new RegExp(`ope_payload_too_large_total\\{route="${route.replace(/\//g, '\\/')}"\\} (\\d+)`).exec(text);
    return Number(match?.[1] ?? 0);
  }

  it('answers 413 "Payload too large" for a body over MAX_BODY_BYTES and counts it by route template', async () => {
    const before = payloadRejections((await server.request('/metrics', { token: null })).text, '/api/v1/pricing/batch');
    const body = JSON.stringify(pricingRequest({ padding: Array(2000).fill('xxxx') }));
    assert.ok(body.length > 8192);
    const response = await server.request('/api/v1/pricing/batch', { body });
    assert.equal(response.status, 413);
    assert.deepEqual(response.json, { detail: 'Payload too large', request_id: response.headers.get('x-request-id') });
    const afterCount = payloadRejections((await server.request('/metrics', { token: null })).text, '/api/v1/pricing/batch');
    assert.equal(afterCount, before + 1);
  });

  it('answers 413 for a single JSON string longer than max(128, MAX_BODY_BYTES/32) bytes, and counts it', async () => {
    const limit = Math.max(128, 8192 / 32);
    const ok = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ comment: 'x'.repeat(limit) }) });
    assert.equal(ok.status, 200);
    const before = payloadRejections((await server.request('/metrics', { token: null })).text, '/api/v1/pricing/single');
    const response = await server.request('/api/v1/pricing/single', { body: pricingRequest({ comment: 'x'.repeat(limit + 1) }) });
    assert.equal(response.status, 413);
    assert.equal(response.json.detail, 'Payload too large');
    const afterCount = payloadRejections((await server.request('/metrics', { token: null })).text, '/api/v1/pricing/single');
    assert.equal(afterCount, before + 1);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await server.request('/api/v1/pricing/batch', { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(response.status, 415);
    assert.equal(typeof response.json.detail, 'string');
    assert.equal(response.json.request_id, response.headers.get('x-request-id'));
  });
});
