import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.js';

describe('store configuration', () => {
  it('defaults to the embedded store under ./data with a 300 s staleness limit', () => {
    assert.deepEqual(loadConfig({}).store, { dataDir: './data', databaseUrl: null, surfaceMaxStalenessSeconds: 300 });
  });

  it('reads OPE_DATA_DIR, OPE_DATABASE_URL and OPE_SURFACE_MAX_STALENESS_SECONDS', () => {
    const config = loadConfig({
      OPE_DATA_DIR: '/var/lib/ope',
      OPE_DATABASE_URL: 'postgresql://ope:pw@db:5432/ope',
      OPE_SURFACE_MAX_STALENESS_SECONDS: '60',
    });
    assert.deepEqual(config.store, {
      dataDir: '/var/lib/ope',
      databaseUrl: 'postgresql://ope:pw@db:5432/ope',
      surfaceMaxStalenessSeconds: 60,
    });
  });

  it('refuses a database URL that is not postgres:// and a staleness below 1 s, naming the variable', () => {
    assert.throws(
      () => loadConfig({ OPE_DATABASE_URL: 'mysql://db/ope' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'OPE_DATABASE_URL',
    );
    assert.throws(
      () => loadConfig({ OPE_SURFACE_MAX_STALENESS_SECONDS: '0' }),
      (e: unknown) => e instanceof ConfigError && e.variable === 'OPE_SURFACE_MAX_STALENESS_SECONDS',
    );
  });
});
