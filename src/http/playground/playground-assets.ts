import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The playground's static files, read once at start-up and served from memory: a fixed table of URL -> file, so
 * no part of a request path ever reaches the file system (nothing to traverse). The page's own files live in
 * public/playground/ (three directories above this module both as src/http/playground/*.ts and as the built
 * dist/http/playground/*.js); the chart library is uPlot from node_modules, a runtime dependency, so the page
 * loads nothing from any origin but OPE's.
 */

export interface PlaygroundAsset {
  readonly url: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** A strong validator: the SHA-256 of the body, quoted. */
  readonly etag: string;
}

/** URL -> file under public/playground/. Adding a file to the page means adding it here (a test checks both ways). */
export const PLAYGROUND_PAGE_FILES: Readonly<Record<string, string>> = Object.freeze({
  '/': 'index.html',
  '/playground/playground.css': 'playground.css',
  '/playground/main.js': 'main.js',
  '/playground/api.js': 'api.js',
  '/playground/request-body.js': 'request-body.js',
  '/playground/sweeps.js': 'sweeps.js',
  '/playground/charts.js': 'charts.js',
  '/playground/format.js': 'format.js',
  '/playground/smiles.js': 'smiles.js',
});

/** URL -> module specifier of a file in an installed package. */
export const PLAYGROUND_VENDOR_FILES: Readonly<Record<string, string>> = Object.freeze({
  '/playground/vendor/uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  '/playground/vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
});

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export const DEFAULT_PLAYGROUND_DIR = fileURLToPath(new URL('../../../public/playground/', import.meta.url));

function contentTypeOf(file: string): string {
  const extension = file.slice(file.lastIndexOf('.'));
  const type = CONTENT_TYPES[extension];
  if (type === undefined) throw new Error(`playground: no content type for ${file}`);
  return type;
}

function asset(url: string, file: string): PlaygroundAsset {
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch (error) {
    throw new Error(
      `playground: cannot read ${file} (deploy public/playground/ beside dist/, or set OPE_PLAYGROUND=off)`,
      { cause: error },
    );
  }
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  return Object.freeze({ url, contentType: contentTypeOf(file), body, etag });
}

/** Reads every playground file; throws, naming the file, when one is missing, so a broken deployment fails at start-up. */
export function loadPlaygroundAssets(directory: string = DEFAULT_PLAYGROUND_DIR): readonly PlaygroundAsset[] {
  const require = createRequire(import.meta.url);
  const dir = directory.endsWith('/') ? directory : `${directory}/`;
  return Object.freeze([
    ...Object.entries(PLAYGROUND_PAGE_FILES).map(([url, file]) => asset(url, dir + file)),
    ...Object.entries(PLAYGROUND_VENDOR_FILES).map(([url, specifier]) => asset(url, require.resolve(specifier))),
  ]);
}
