import { readFileSync } from 'node:fs';

/** The installed version of a peer package, read from its package.json in node_modules. */
export function packageVersion(name: string): string {
  const url = new URL(`../../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
