import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scopesFromClaims } from '../../src/auth/scopes.js';

const scopes = (claims: Record<string, unknown>): string[] => [...scopesFromClaims(claims)].sort();

describe('scopesFromClaims', () => {
  it('reads a scope claim that is a JSON array', () => {
    assert.deepEqual(scopes({ scope: ['pricing:read', 'risk:read'] }), ['pricing:read', 'risk:read']);
    assert.deepEqual(scopes({ scope: ['pricing:read risk:read', 7, null] }), ['pricing:read', 'risk:read']);
  });

  it('lets scope alone decide when it is present, never uniting it with scp', () => {
    assert.deepEqual(scopes({ scope: 'risk:read', scp: 'pricing:read' }), ['risk:read']);
    assert.deepEqual(scopes({ scope: '', scp: 'pricing:read' }), []);
    assert.deepEqual(scopes({ scope: [], scp: ['pricing:read'] }), []);
  });

  it('falls back to scp (string or array) when scope is absent or neither a string nor an array', () => {
    assert.deepEqual(scopes({ scp: 'pricing:read risk:read' }), ['pricing:read', 'risk:read']);
    assert.deepEqual(scopes({ scp: ['pricing:read'] }), ['pricing:read']);
    assert.deepEqual(scopes({ scope: 5, scp: 'pricing:read' }), ['pricing:read']);
  });

  it('splits on any whitespace, not on commas, and keeps letter case', () => {
    assert.deepEqual(scopes({ scope: 'risk:read\tpricing:read\nmarket-data:read ' }), [
      'market-data:read',
      'pricing:read',
      'risk:read',
    ]);
    assert.deepEqual(scopes({ scope: 'risk:read,pricing:read' }), ['risk:read,pricing:read']);
    assert.deepEqual(scopes({ scope: 'PRICING:READ' }), ['PRICING:READ']);
  });
});
