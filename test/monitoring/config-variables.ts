import { loadConfig } from '../../src/config/config.js';

/**
 * The environment variables an operator can set: exactly those src/config/config.ts reads, recorded by handing
 * loadConfig an environment that logs each lookup (so the list cannot drift from the code).
 */
export function configVariables(): Set<string> {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_target, name) {
      if (typeof name === 'string') read.add(name);
      return undefined;
    },
  });
  loadConfig(env);
  return read;
}
