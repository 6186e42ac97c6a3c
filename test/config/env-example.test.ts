import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/config.js';
import { configVariables } from '../monitoring/config-variables.js';

/**
 * .env.example is the newcomer's list of settings: it must name every variable loadConfig reads (recorded by
 * reading through a Proxy, configVariables(), so a variable added to the config without a line here fails this test), nothing else,
 * and each value it shows must be the default (setting it alone changes nothing).
 */

function example(): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of readFileSync('.env.example', 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) {
      assert.ok(!entries.has(match[1]!), `${match[1]} appears twice`);
      entries.set(match[1]!, match[2]!);
    }
  }
  return entries;
}

describe('.env.example', () => {
  const listed = example();

  it('lists exactly the variables the configuration reads', () => {
    const read = [...configVariables()].sort();
    assert.ok(read.includes('OPE_ENVIRONMENT') && read.length > 20, `the recording saw ${read.join(', ')}`);
    assert.deepEqual([...listed.keys()].sort(), read);
  });

  it('shows each variable at its default: setting any one of them alone gives the default configuration', () => {
    const defaults = loadConfig({});
    for (const [name, value] of listed) {
      assert.deepEqual(loadConfig({ [name]: value }), defaults, `${name}=${value} is not the default`);
    }
  });

  it('loads as a whole into the default configuration', () => {
    assert.deepEqual(loadConfig(Object.fromEntries(listed)), loadConfig({}));
  });
});
