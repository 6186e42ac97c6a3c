import { readFileSync } from 'node:fs';

/**
 * The service version shown by /healthz and the OpenAPI document: package.json's `version`. This module sits two
 * levels below the package root both as source (src/http) and when built (dist/http).
 */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}
