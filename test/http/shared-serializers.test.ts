import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exactJson, sharedSerializerFactory } from '../../src/http/shared-serializers.js';

const route = (schema: unknown, url = '/x') => ({ method: 'GET', url, httpStatus: '200', schema });

describe('exactJson', () => {
  it('is JSON for plain data', () => {
    assert.equal(exactJson({ a: [1, 'b', null, { c: true }] }), '{"a":[1,"b",null,{"c":true}]}');
    assert.equal(exactJson(Object.assign(Object.create(null) as object, { a: 1 })), '{"a":1}');
  });

  it('refuses what JSON cannot stand for exactly', () => {
    for (const value of [
      undefined,
      { a: undefined },
      [undefined],
      { a: () => 1 },
      { a: Number.NaN },
      { a: Number.POSITIVE_INFINITY },
      { a: 1n },
      { a: /x/ },
      { a: new Date(0) },
      { a: new Map() },
    ]) {
      assert.equal(exactJson(value), undefined, String(value));
    }
  });
});

describe('sharedSerializerFactory', () => {
  const object = (properties: Record<string, unknown>) => ({ type: 'object', properties });

  it('hands out one serializer for the same content, across factories and apps', () => {
    const first = sharedSerializerFactory()({}, {})(route(object({ a: { type: 'number' } })));
    const second = sharedSerializerFactory()({}, {})(route(object({ a: { type: 'number' } }), '/y'));
    assert.equal(first, second);
    assert.equal(first({ a: 1, b: 2 }), '{"a":1}');
  });

  it('compiles anew when the schema, the shared schemas or the options differ', () => {
    const schema = { $ref: 'Shared#' };
    const narrow = sharedSerializerFactory()({ Shared: { $id: 'Shared', ...object({ a: { type: 'number' } }) } }, {});
    const wide = sharedSerializerFactory()(
      { Shared: { $id: 'Shared', ...object({ a: { type: 'number' }, b: { type: 'number' } }) } },
      {},
    );
    assert.equal(narrow(route(schema))({ a: 1, b: 2 }), '{"a":1}');
    assert.equal(wide(route(schema))({ a: 1, b: 2 }), '{"a":1,"b":2}');
    const other = sharedSerializerFactory()({}, {})(route(object({ b: { type: 'number' } })));
    assert.equal(other({ a: 1, b: 2 }), '{"b":2}');
    const plain = sharedSerializerFactory()({}, {})(route(object({ n: { type: 'integer' } })));
    const rounded = sharedSerializerFactory()({}, { rounding: 'ceil' })(route(object({ n: { type: 'integer' } })));
    assert.equal(plain({ n: 1.7 }), '{"n":1}');
    assert.equal(rounded({ n: 1.7 }), '{"n":2}');
  });

  it('compiles uncacheable schemas every time, and they still serialize', () => {
    const compile = sharedSerializerFactory()({}, {});
    const schema = { ...object({ a: { type: 'string' } }), description: undefined };
    const first = compile(route(schema));
    assert.notEqual(first, compile(route(schema)));
    assert.equal(first({ a: 'x' }), '{"a":"x"}');
  });

  it("keys on the shared schemas Fastify's default compiler sets aside for a route with its own $id", () => {
    const shared = { Own: { $id: 'Own', ...object({ a: { type: 'number' } }) } };
    const compile = sharedSerializerFactory()(shared, {});
    // The route's schema is the shared one itself: the default compiler drops it from the references first.
    const own = compile(route(shared.Own));
    assert.equal(own({ a: 1, b: 2 }), '{"a":1}');
    const fresh = sharedSerializerFactory()(shared, {})(route(object({ c: { type: 'number' } })));
    const after = compile(route(object({ c: { type: 'number' } })));
    assert.notEqual(fresh, after, 'compiled with Own set aside, so not the serializer compiled with it present');
    assert.equal(after({ c: 3 }), '{"c":3}');
  });
});
