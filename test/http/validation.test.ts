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
  input?: unknown;
  ctx?: Record<string, unknown>;
}

async function issues(body: unknown, path = '/api/v1/pricing/batch'): Promise<Issue[]> {
  const response = await server.request(path, { body });
  assert.equal(response.status, 422, `expected 422, got ${response.status}: ${response.text}`);
  assert.deepEqual(Object.keys(response.json).sort(), ['detail', 'request_id']);
  assert.equal(response.json.request_id, response.headers.get('x-request-id'));
  for (const issue of response.json.detail) {
    const keys = Object.keys(issue)
      .filter((k) => k !== 'input' && k !== 'ctx')
      .sort();
    assert.deepEqual(keys, ['loc', 'msg', 'type'], "pydantic's entry shape: type, loc, msg (and input, ctx)");
  }
  return response.json.detail;
}

function contract(overrides: Record<string, unknown>): Record<string, unknown> {
  return pricingRequest({
    contracts: [{ symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call', ...overrides }],
  });
}

function market(overrides: Record<string, unknown>): Record<string, unknown> {
  return pricingRequest({ market_data: { spot_price: 100, risk_free_rate: 0.01, volatility: 0.2, ...overrides } });
}

describe('422: schema violations name the field by its JSON path', () => {
  const rows: [string, Record<string, unknown>, (string | number)[], string][] = [
    [
      'a number string that does not parse',
      contract({ strike_price: '0x64' }),
      ['body', 'contracts', 0, 'strike_price'],
      'float_parsing',
    ],
    ['a list for a number', contract({ time_to_expiry: [] }), ['body', 'contracts', 0, 'time_to_expiry'], 'float_type'],
    [
      '"inf" past the strike bound',
      contract({ strike_price: 'inf' }),
      ['body', 'contracts', 0, 'strike_price'],
      'less_than_equal',
    ],
    [
      'an integer string with a fraction',
      contract({ quantity: '2.5' }),
      ['body', 'contracts', 0, 'quantity'],
      'int_parsing',
    ],
    ['strike 0', contract({ strike_price: 0 }), ['body', 'contracts', 0, 'strike_price'], 'greater_than'],
    [
      'strike above 1e9',
      contract({ strike_price: 1e9 + 1 }),
      ['body', 'contracts', 0, 'strike_price'],
      'less_than_equal',
    ],
    [
      'expiry above 50 years',
      contract({ time_to_expiry: 50.5 }),
      ['body', 'contracts', 0, 'time_to_expiry'],
      'less_than_equal',
    ],
    ['an unknown option type', contract({ option_type: 'straddle' }), ['body', 'contracts', 0, 'option_type'], 'enum'],
    [
      'an unknown exercise style',
      contract({ exercise_style: 'bermudan' }),
      ['body', 'contracts', 0, 'exercise_style'],
      'enum',
    ],
    ['a fractional quantity', contract({ quantity: 1.5 }), ['body', 'contracts', 0, 'quantity'], 'int_from_float'],
    ['quantity 0', contract({ quantity: 0 }), ['body', 'contracts', 0, 'quantity'], 'greater_than_equal'],
    [
      'quantity above 1,000,000',
      contract({ quantity: 1_000_001 }),
      ['body', 'contracts', 0, 'quantity'],
      'less_than_equal',
    ],
    ['an empty symbol', contract({ symbol: '' }), ['body', 'contracts', 0, 'symbol'], 'string_too_short'],
    [
      'a 21-character symbol',
      contract({ symbol: 'A'.repeat(21) }),
      ['body', 'contracts', 0, 'symbol'],
      'string_too_long',
    ],
    ['a symbol with punctuation', contract({ symbol: 'AB-C' }), ['body', 'contracts', 0, 'symbol'], 'value_error'],
    [
      'a symbol that upper-cases past 20 characters',
      contract({ symbol: 'ß'.repeat(11) }),
      ['body', 'contracts', 0, 'symbol'],
      'value_error',
    ],
    ['a missing strike', contract({ strike_price: undefined }), ['body', 'contracts', 0, 'strike_price'], 'missing'],
    ['spot 0', market({ spot_price: 0 }), ['body', 'market_data', 'spot_price'], 'greater_than'],
    [
      'rate below -1',
      market({ risk_free_rate: -1.5 }),
      ['body', 'market_data', 'risk_free_rate'],
      'greater_than_equal',
    ],
    [
      'dividend yield above 1',
      market({ dividend_yield: 1.5 }),
      ['body', 'market_data', 'dividend_yield'],
      'less_than_equal',
    ],
    ['volatility 0', market({ volatility: 0 }), ['body', 'market_data', 'volatility'], 'greater_than'],
    ['volatility above 5', market({ volatility: 5.01 }), ['body', 'market_data', 'volatility'], 'less_than_equal'],
    ['volatility as a word', market({ volatility: 'high' }), ['body', 'market_data', 'volatility'], 'float_parsing'],
    ['an unknown model', pricingRequest({ model: 'black_76' }), ['body', 'model'], 'enum'],
    [
      'calculate_greeks as an unknown word',
      pricingRequest({ calculate_greeks: 'maybe' }),
      ['body', 'calculate_greeks'],
      'bool_parsing',
    ],
    ['calculate_greeks 2', pricingRequest({ calculate_greeks: 2 }), ['body', 'calculate_greeks'], 'bool_parsing'],
    ['calculate_greeks null', pricingRequest({ calculate_greeks: null }), ['body', 'calculate_greeks'], 'bool_type'],
    ['a negative seed', pricingRequest({ seed: -1 }), ['body', 'seed'], 'greater_than_equal'],
    ['a fractional seed', pricingRequest({ seed: 1.5 }), ['body', 'seed'], 'int_from_float'],
    ['a seed as a word', pricingRequest({ seed: 'x' }), ['body', 'seed'], 'int_parsing'],
    ['contracts as an object', pricingRequest({ contracts: { symbol: 'ABC' } }), ['body', 'contracts'], 'list_type'],
    [
      'market_data as an array',
      pricingRequest({ market_data: [100] }),
      ['body', 'market_data'],
      'model_attributes_type',
    ],
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
        { symbol: 'a$', strike_price: 'five', time_to_expiry: null, option_type: 'x', quantity: 1.5 },
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

  it("messages read like pydantic's", async () => {
    const [strike] = await issues(contract({ strike_price: 0 }));
    assert.equal(strike!.msg, 'Input should be greater than 0');
    const [missing] = await issues(contract({ option_type: undefined }));
    assert.deepEqual(
      { ...missing, input: undefined },
      { loc: ['body', 'contracts', 0, 'option_type'], msg: 'Field required', type: 'missing', input: undefined },
    );
    assert.equal((missing!.input as { symbol: string }).symbol, 'ABC', 'input: the object that lacks the field');
    const [type] = await issues(contract({ option_type: 'x' }));
    assert.equal(type!.msg, "Input should be 'call' or 'put'");
    assert.equal(type!.input, 'x');
    assert.deepEqual(type!.ctx, { expected: "'call' or 'put'" });
    assert.deepEqual(strike!.ctx, { gt: 0 });
    assert.equal(strike!.input, 0);
    const [parsing] = await issues(contract({ strike_price: '100,5' }));
    assert.deepEqual(parsing, {
      type: 'float_parsing',
      loc: ['body', 'contracts', 0, 'strike_price'],
      msg: 'Input should be a valid number, unable to parse string as a number',
      input: '100,5',
    });
    const [coercedBound] = await issues(contract({ strike_price: ' 0 ' }));
    assert.equal(coercedBound!.type, 'greater_than');
    assert.equal(coercedBound!.input, ' 0 ', 'input echoes what was sent, not the coerced value');
  });

  it('refuses seeds above 2^63-1 read exactly, including 2^63 which a double cannot tell from 2^63-1', async () => {
    for (const seed of [
      '9223372036854775808',
      '9223372036854776000',
      '18446744073709551615',
      '1e30',
      '9007199254740993.5',
    ]) {
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
    const body = pricingRequest({
      extra: { nested: [1, 2] },
      contracts: [{ symbol: 'ABC', strike_price: 100, time_to_expiry: 0.5, option_type: 'call', note: 'x' }],
    });
    const response = await server.request('/api/v1/pricing/batch', { body });
    assert.equal(response.status, 200);
    assert.ok(!response.text.includes('nested'));
    assert.ok(!response.text.includes('note'));
  });

  it('refuses malformed JSON with loc ["body", offset]', async () => {
    for (const [text, offset] of [
      ['{"contracts": [', 15],
      ['{contracts: []}', 1],
      ['{"a":1,}', 7],
      ['NaN', 0],
    ] as const) {
      const found = await issues(text);
      assert.equal(found.length, 1);
      assert.deepEqual(found[0]!.loc, ['body', offset]);
      assert.equal(found[0]!.type, 'json_invalid');
    }
  });

  it('refuses a missing, null or non-object body', async () => {
    assert.deepEqual(await issues(''), [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
    assert.deepEqual(await issues('null'), [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
    const [array] = await issues('[1,2]');
    assert.deepEqual(array!.loc, ['body']);
    assert.equal(array!.type, 'model_attributes_type');
  });

  it('ignores prototype-poisoning keys: removed, never merged into the body', async () => {
    const valid = JSON.stringify(pricingRequest());
    const poisoned = valid.replace(
      '{"contracts"',
      '{"__proto__":{"model":"monte_carlo_20k","calculate_greeks":false},"contracts"',
    );
    const response = await server.request('/api/v1/pricing/batch', { body: poisoned });
    assert.equal(response.status, 200);
    assert.equal(response.json.results[0].model_used, 'black_scholes');
    assert.notEqual(response.json.portfolio_greeks, null);
    const missing = await issues('{"__proto__": {"contracts": [], "market_data": {}}}');
    assert.deepEqual(missing.map((i) => i.loc).sort(), [
      ['body', 'contracts'],
      ['body', 'market_data'],
    ]);
  });

  it('reads application/*+json bodies, and a body with a UTF-8 BOM', async () => {
    for (const type of ['application/problem+json', 'application/json-patch+json', 'Application/JSON; charset=utf-8']) {
      const response = await server.request('/api/v1/pricing/batch', {
        body: JSON.stringify(pricingRequest()),
        headers: { 'content-type': type },
      });
      assert.equal(response.status, 200, type);
    }
    const bom = await server.request('/api/v1/pricing/batch', { body: `\ufeff${JSON.stringify(pricingRequest())}` });
    assert.equal(bom.status, 200);
  });
});

describe('route checks after the schema', () => {
  it('answers 400 "No contracts provided" for an empty list', async () => {
    for (const path of ['/api/v1/pricing/single', '/api/v1/pricing/batch', '/api/v1/risk/aggregate-greeks']) {
      const response = await server.request(path, { body: pricingRequest({ contracts: [] }) });
      assert.equal(response.status, 400, path);
      assert.deepEqual(response.json, {
        detail: 'No contracts provided',
        request_id: response.headers.get('x-request-id'),
      });
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
    const six = await server.request('/api/v1/pricing/batch', {
      body: pricingRequest({ contracts: Array(6).fill(c) }),
    });
    assert.equal(six.status, 413);
    assert.deepEqual(six.json, {
      detail: 'Too many contracts; limit is 5',
      request_id: six.headers.get('x-request-id'),
    });
    const five = await server.request('/api/v1/pricing/batch', {
      body: pricingRequest({ contracts: Array(5).fill(c) }),
    });
    assert.equal(five.status, 200);
    const risk = await server.request('/api/v1/risk/aggregate-greeks', {
      body: pricingRequest({ contracts: Array(4).fill(c) }),
    });
    assert.equal(risk.status, 413);
    assert.equal(risk.json.detail, 'Too many contracts; limit is 3');
  });

  it('checks the list length before validating its items, so a huge bad list costs one answer', async () => {
    const response = await server.request('/api/v1/pricing/batch', {
      body: pricingRequest({ contracts: Array(500).fill(1) }),
    });
    assert.equal(response.status, 413);
  });
});

describe('payload limits', () => {
  function payloadRejections(text: string, route: string): number {
    const match = new RegExp(`ope_payload_too_large_total\\{route="${route.replace(/\//g, '\\/')}"\\} (\\d+)`).exec(
      text,
    );
    return Number(match?.[1] ?? 0);
  }

  it('answers 413 "Payload too large" for a body over MAX_BODY_BYTES and counts it by route template', async () => {
    const before = payloadRejections((await server.request('/metrics', { token: null })).text, '/api/v1/pricing/batch');
    const body = JSON.stringify(pricingRequest({ padding: Array(2000).fill('xxxx') }));
    assert.ok(body.length > 8192);
    const response = await server.request('/api/v1/pricing/batch', { body });
    assert.equal(response.status, 413);
    assert.deepEqual(response.json, { detail: 'Payload too large', request_id: response.headers.get('x-request-id') });
    const afterCount = payloadRejections(
      (await server.request('/metrics', { token: null })).text,
      '/api/v1/pricing/batch',
    );
    assert.equal(afterCount, before + 1);
  });

  it('answers 413 for a single JSON string longer than max(128, MAX_BODY_BYTES/32) bytes, and counts it', async () => {
    const limit = Math.max(128, 8192 / 32);
    const ok = await server.request('/api/v1/pricing/batch', { body: pricingRequest({ comment: 'x'.repeat(limit) }) });
    assert.equal(ok.status, 200);
    const before = payloadRejections(
      (await server.request('/metrics', { token: null })).text,
      '/api/v1/pricing/single',
    );
    const response = await server.request('/api/v1/pricing/single', {
      body: pricingRequest({ comment: 'x'.repeat(limit + 1) }),
    });
    assert.equal(response.status, 413);
    assert.equal(response.json.detail, 'Payload too large');
    const afterCount = payloadRejections(
      (await server.request('/metrics', { token: null })).text,
      '/api/v1/pricing/single',
    );
    assert.equal(afterCount, before + 1);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const response = await server.request('/api/v1/pricing/batch', {
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.status, 415);
    assert.equal(typeof response.json.detail, 'string');
    assert.equal(response.json.request_id, response.headers.get('x-request-id'));
  });
});

describe('lax input, as pydantic 2 accepts it (docs/api.md, "Input coercion")', () => {
  async function price(
    body: unknown,
  ): Promise<{ theoretical_price: number; quantity: number }[] & { portfolio?: unknown }> {
    const response = await server.request('/api/v1/pricing/batch', { body });
    assert.equal(response.status, 200, response.text);
    return Object.assign(response.json.results, { portfolio: response.json.portfolio_greeks });
  }

  it('reads numeric strings, booleans as 1/0 and integer strings as the numbers they spell', async () => {
    const [want] = await price(contract({ strike_price: 100, quantity: 7 }));
    for (const strike of ['100', ' 100 ', '+100', '1_00', '1e2', '100.0']) {
      const [got] = await price(contract({ strike_price: strike, quantity: 7 }));
      assert.equal(got!.theoretical_price, want!.theoretical_price, strike);
    }
    for (const quantity of ['007', ' 7 ', '+7', '7.0', 7.0]) {
      const [got] = await price(contract({ quantity }));
      assert.equal(got!.quantity, 7, String(quantity));
    }
    const [one] = await price(contract({ strike_price: true }));
    const [numeric] = await price(contract({ strike_price: 1 }));
    assert.equal(one!.theoretical_price, numeric!.theoretical_price);
  });

  it('reads calculate_greeks spelled as pydantic accepts it, in any letter case', async () => {
    for (const [value, portfolio] of [
      ['yes', true],
      ['No', false],
      ['ON', true],
      ['off', false],
      ['t', true],
      ['F', false],
      ['1', true],
      [0, false],
      [1.0, true],
      ['y', true],
      ['n', false],
    ] as const) {
      const result = await price(pricingRequest({ calculate_greeks: value }));
      assert.equal(result.portfolio !== null, portfolio, String(value));
    }
  });

  it('keeps a seed sent as a string exact above 2^53', async () => {
    const body = (seed: string) => pricingRequest({ model: 'monte_carlo_20k', seed });
    const [a] = await price(body('9007199254740992'));
    const [b] = await price(body('9007199254740993'));
    const [c] = await price(pricingRequest({ model: 'monte_carlo_20k', seed: 9007199254740992 }));
    assert.notEqual(a!.theoretical_price, b!.theoretical_price);
    assert.equal(a!.theoretical_price, c!.theoretical_price);
  });
});
