import { readFileSync } from 'node:fs';
import type { VersionResponse } from '../../core/quote-api.js';
import { sha256Hex } from './hashing.js';
import { MONTE_CARLO_CAPABILITIES } from './monte-carlo-adapter.js';

/**
 * GET /version: the build id, the versions of the libraries that shape the numbers and the service, and flags
 * that say what this build's Monte Carlo really does. sbom_hash is SHA-256 of package-lock.json as shipped (the
 * exact dependency tree); baseline_tag names the API contract this build follows.
 */

const LIBRARIES = ['fastify', 'piscina', 'jose', 'prom-client', 'pino', 'typebox'] as const;
export const BASELINE_TAG = 'quote-api-1';

function readPackageFile(relative: string): string | null {
  try {
    // Two levels below the package root both as source (src/http/quote) and built (dist/http/quote)... plus one.
    return readFileSync(new URL(`../../../${relative}`, import.meta.url), 'utf8');
  } catch {
    return null;
  }
}

function installedVersion(name: string): string | null {
  const text = readPackageFile(`node_modules/${name}/package.json`);
  if (text === null) return null;
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : null;
}

export function versionInfo(buildId: string, serviceVersion: string): VersionResponse {
  const library_versions: Record<string, string> = { ope: serviceVersion, node: process.versions.node };
  for (const name of LIBRARIES) {
    const version = installedVersion(name);
    if (version !== null) library_versions[name] = version;
  }
  const lock = readPackageFile('package-lock.json');
  return {
    build_id: buildId,
    library_versions,
    flags: {
      qmc: MONTE_CARLO_CAPABILITIES.quasiRandom,
      cv: MONTE_CARLO_CAPABILITIES.controlVariates,
      stratified: MONTE_CARLO_CAPABILITIES.stratified,
    },
    sbom_hash: lock === null ? '' : sha256Hex(lock),
    baseline_tag: BASELINE_TAG,
  };
}
