import { Agent, request as httpRequest } from 'node:http';
import { SignJWT } from 'jose';
import type { IdentityProvider } from '../../helpers/identity-provider.js';

/**
 * Replays the recorded exchanges with the Python service (test/fixtures/python-ope-v1/README.md describes the
 * format) against a listening OPE and compares the answers: status, the recorded headers, and every recorded body
 * field outside the volatile ones. Extra fields in our answers are allowed (a client of the Python service
 * ignores them); a recorded field that is missing or different is a difference.
 */

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth: string;
  readonly body?: unknown;
  readonly raw_body?: string;
  readonly raw_body_base64?: string;
}

export interface KnownDifference {
  readonly path: string;
  readonly kind: 'python_known_wrong' | 'python_rng_specific';
  readonly textbook_value?: number;
}

export interface RecordedCase {
  readonly id: string;
  readonly group: string;
  readonly note: string;
  readonly service: { readonly instance: string; readonly env: Readonly<Record<string, string>> };
  readonly setup: readonly RecordedRequest[];
  readonly request: RecordedRequest;
  readonly python: {
    readonly status: number;
    readonly headers: Readonly<Record<string, string>>;
    readonly headers_considered?: readonly string[];
    readonly body_format: 'json' | 'text' | 'empty' | 'omitted';
    readonly body: unknown;
  };
  readonly volatile?: readonly string[];
  readonly known_differences?: readonly KnownDifference[];
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** Headers every case covers (README, "python"). */
const ALWAYS_COVERED = ['content-type', 'allow', 'location', 'www-authenticate', 'retry-after'];
const HS256_SECRET = new TextEncoder().encode('a-shared-secret-that-is-not-in-the-jwks');

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

const standardTokens = new WeakMap<IdentityProvider, Promise<string>>();

/** The Authorization header for a case's `auth` value (README, "Tokens"), or undefined for none. */
export async function authorizationFor(auth: string, idp: IdentityProvider): Promise<string | undefined> {
  const all = ['pricing:read', 'risk:read', 'market-data:read', 'market-data:write'];
  const now = Math.floor(Date.now() / 1000);
  const mint = (o: Parameters<IdentityProvider['mintToken']>[0] = {}): Promise<string> =>
    idp.mintToken({ sub: 'bench', scopes: all, exp: now + 3600, ...o });
  const colon = auth.indexOf(':');
  const kind = colon < 0 ? auth : auth.slice(0, colon);
  const arg = colon < 0 ? '' : auth.slice(colon + 1);
  const bearer = async (token: Promise<string> | string): Promise<string> => `Bearer ${await token}`;
  switch (kind) {
    case 'none':
      return undefined;
    case 'all-scopes': {
      // Valid for an hour: one per identity provider is enough (minting one per request doubles the replay time).
      let token = standardTokens.get(idp);
      if (token === undefined) standardTokens.set(idp, (token = mint()));
      return bearer(token);
    }
    case 'scope':
      return bearer(mint({ claims: { scope: arg } }));
    case 'scope-array':
      return bearer(mint({ claims: { scope: arg.split(/\s+/).filter((s) => s !== '') } }));
    case 'scp':
      return bearer(mint({ scopeClaim: 'scp-string', claims: { scp: arg } }));
    case 'scp-array':
      return bearer(mint({ scopeClaim: 'scp-array', scopes: arg.split(/\s+/).filter((s) => s !== '') }));
    case 'scope+scp': {
      const [a, b] = arg.split('|');
      return bearer(mint({ claims: { scope: a, scp: b } }));
    }
    case 'scope-number+scp':
      return bearer(mint({ claims: { scope: 5, scp: arg } }));
    case 'no-scope':
      return bearer(mint({ scopeClaim: 'scp-string', claims: { scp: undefined } }));
    case 'expired':
      return bearer(mint({ exp: now - 3600, iat: now - 7200, nbf: now - 7200 }));
    case 'expired-30s':
      return bearer(mint({ exp: now - 30, iat: now - 3600, nbf: now - 3600 }));
    case 'expired-120s':
      return bearer(mint({ exp: now - 120, iat: now - 3600, nbf: now - 3600 }));
    case 'nbf-future-30s':
      return bearer(mint({ nbf: now + 30 }));
    case 'nbf-future-300s':
      return bearer(mint({ nbf: now + 300 }));
    case 'iat-future-300s':
      return bearer(mint({ iat: now + 300 }));
    case 'wrong-aud':
      return bearer(mint({ aud: 'someone-else' }));
    case 'aud-array':
      return bearer(mint({ aud: ['someone-else', idp.audience] }));
    case 'wrong-iss':
      return bearer(mint({ iss: 'https://other-issuer.test' }));
    case 'no-sub':
      return bearer(mint({ sub: null }));
    case 'sub-empty':
      return bearer(mint({ sub: '' }));
    case 'no-exp':
      return bearer(mint({ exp: null }));
    case 'no-iat':
      return bearer(mint({ iat: null }));
    case 'no-nbf':
      return bearer(mint({ nbf: null }));
    case 'unknown-kid':
      return bearer(mint({ headerKid: 'unknown-kid' }));
    case 'no-kid':
      return bearer(mint({ headerKid: null }));
    case 'wrong-key':
      // Signed with key B (not published) under the published kid A.
      return bearer(mint({ kid: 'B', headerKid: 'A' }));
    case 'hs256':
      return bearer(
        new SignJWT({
          scope: all.join(' '),
          sub: 'bench',
          iss: idp.issuer,
          aud: idp.audience,
          iat: now,
          nbf: now,
          exp: now + 3600,
        })
          .setProtectedHeader({ alg: 'HS256', kid: 'A' })
          .sign(HS256_SECRET),
      );
    case 'alg-none':
      return `Bearer ${base64url({ alg: 'none', kid: 'A', typ: 'JWT' })}.${base64url({ scope: all.join(' '), sub: 'bench', iss: idp.issuer, aud: idp.audience, iat: now, nbf: now, exp: now + 3600 })}.`;
    case 'garbage':
      return 'Bearer not-a-jwt';
    case 'header':
      return arg.includes('{token}') ? arg.replace('{token}', await mint()) : arg;
    default:
      throw new Error(`replay: unknown auth kind ${auth}`);
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** Sends one recorded request to the server at `port` exactly as recorded (headers, bytes, Host). */
export async function send(port: number, recorded: RecordedRequest, idp: IdentityProvider): Promise<Answer> {
  const headers: Record<string, string> = { host: '127.0.0.1:19810', ...recorded.headers };
  const authorization = await authorizationFor(recorded.auth, idp);
  if (authorization !== undefined) headers.authorization = authorization;
  let payload: Buffer | undefined;
  if (recorded.raw_body_base64 !== undefined) payload = Buffer.from(recorded.raw_body_base64, 'base64');
  else if (recorded.raw_body !== undefined) payload = Buffer.from(recorded.raw_body, 'utf8');
  else if ('body' in recorded) payload = Buffer.from(JSON.stringify(recorded.body), 'utf8');
  if (payload !== undefined) headers['content-length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: recorded.method, path: recorded.path, headers, agent, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

function pathMatcher(pattern: string): RegExp {
  const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\[\\\*\\\]/g, '\\[\\d+\\]');
  return new RegExp(`^${escaped}(?:$|[.[])`);
}

function close(ours: number, theirs: number, rel: number): boolean {
  if (ours === theirs) return true;
  return Math.abs(ours - theirs) <= Math.max(1e-12, rel * Math.max(Math.abs(ours), Math.abs(theirs)));
}

/** Relative tolerance for recorded floats (README, "Comparing numbers"). */
const REL_TOLERANCE = 1e-9;
/** Textbook values are computed independently of either service: compare at a looser, still tight, tolerance. */
const TEXTBOOK_TOLERANCE = 1e-6;

/**
 * Every way our answer differs from the recorded one, as `path: ours vs python` lines; empty when they match.
 * Known-wrong Python values are compared with their textbook value when there is one and skipped otherwise;
 * Monte Carlo values specific to numpy's generator are skipped; a known-wrong 5xx status must be a 4xx here.
 */
export function differences(c: RecordedCase, ours: Answer): string[] {
  const out: string[] = [];
  const skip = [...(c.volatile ?? []), ...(c.known_differences ?? []).map((k) => k.path)].map(pathMatcher);
  const textbook = new Map<string, number>();
  for (const k of c.known_differences ?? []) if (k.textbook_value !== undefined) textbook.set(k.path, k.textbook_value);
  const skipped = (path: string): boolean => skip.some((r) => r.test(path));

  const statusWrong = (c.known_differences ?? []).some((k) => k.path === 'status');
  if (statusWrong) {
    if (ours.status < 400 || ours.status >= 500)
      out.push(`status: ${ours.status}, want a 4xx (Python's ${c.python.status} is known wrong)`);
    return out;
  }
  if (ours.status !== c.python.status) out.push(`status: ${ours.status} vs ${c.python.status}`);

  const covered = new Set([...ALWAYS_COVERED, ...(c.python.headers_considered ?? [])]);
  for (const name of covered) {
    const path = `headers.${name}`;
    if (skipped(path)) continue;
    const theirs = c.python.headers[name];
    const raw = ours.headers[name];
    const mine = Array.isArray(raw) ? raw.join(', ') : raw;
    if (name === 'content-type' && theirs !== undefined && mine !== undefined) {
      // Only the media type: a charset parameter is not something a client of the Python service trips on.
      if (mine.split(';')[0]!.trim().toLowerCase() !== theirs.split(';')[0]!.trim().toLowerCase())
        out.push(`${path}: ${mine} vs ${theirs}`);
      continue;
    }
    if (name === 'allow' && theirs !== undefined && mine !== undefined) {
      const norm = (v: string): string =>
        v
          .split(',')
          .map((s) => s.trim())
          .sort()
          .join(', ');
      if (norm(mine) !== norm(theirs)) out.push(`${path}: ${mine} vs ${theirs}`);
      continue;
    }
    if (mine !== theirs) out.push(`${path}: ${mine ?? '(absent)'} vs ${theirs ?? '(absent)'}`);
  }

  switch (c.python.body_format) {
    case 'omitted':
      break;
    case 'empty':
      if (ours.text !== '') out.push(`body: ${ours.text.slice(0, 80)} vs (empty)`);
      break;
    case 'text':
      if (!skipped('body') && ours.text !== c.python.body)
        out.push(
          `body: ${JSON.stringify(ours.text.slice(0, 80))} vs ${JSON.stringify(String(c.python.body).slice(0, 80))}`,
        );
      break;
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(ours.text);
      } catch {
        out.push(`body: not JSON (${JSON.stringify(ours.text.slice(0, 80))})`);
        break;
      }
      compareJson('body', parsed, c.python.body, skipped, textbook, out);
      break;
    }
  }
  return out;
}

function compareJson(
  path: string,
  ours: unknown,
  theirs: unknown,
  skipped: (p: string) => boolean,
  textbook: ReadonlyMap<string, number>,
  out: string[],
): void {
  const book = textbook.get(path);
  if (book !== undefined) {
    if (typeof ours !== 'number' || !close(ours, book, TEXTBOOK_TOLERANCE))
      out.push(`${path}: ${JSON.stringify(ours)} vs textbook ${book}`);
    return;
  }
  if (skipped(path)) return;
  if (typeof theirs === 'number') {
    if (typeof ours !== 'number' || !close(ours, theirs, REL_TOLERANCE))
      out.push(`${path}: ${JSON.stringify(ours)} vs ${theirs}`);
    return;
  }
  if (Array.isArray(theirs)) {
    if (!Array.isArray(ours)) {
      out.push(`${path}: ${JSON.stringify(ours)?.slice(0, 80)} vs an array`);
      return;
    }
    if (ours.length !== theirs.length) out.push(`${path}.length: ${ours.length} vs ${theirs.length}`);
    for (let i = 0; i < Math.min(ours.length, theirs.length); i++)
      compareJson(`${path}[${i}]`, ours[i], theirs[i], skipped, textbook, out);
    return;
  }
  if (typeof theirs === 'object' && theirs !== null) {
    if (typeof ours !== 'object' || ours === null || Array.isArray(ours)) {
      out.push(`${path}: ${JSON.stringify(ours)?.slice(0, 80)} vs an object`);
      return;
    }
    for (const [key, value] of Object.entries(theirs)) {
      const sub = `${path}.${key}`;
      if (!(key in ours)) {
        if (!skipped(sub)) out.push(`${sub}: (absent) vs ${JSON.stringify(value)?.slice(0, 60)}`);
        continue;
      }
      compareJson(sub, (ours as Record<string, unknown>)[key], value, skipped, textbook, out);
    }
    return;
  }
  if (ours !== theirs)
    out.push(`${path}: ${JSON.stringify(ours)?.slice(0, 80)} vs ${JSON.stringify(theirs)?.slice(0, 80)}`);
}
