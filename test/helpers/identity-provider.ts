import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

/**
 * A real identity provider stand-in for tests: a node:http server on 127.0.0.1 (random port) that serves a JWKS
 * the test controls, and a token minter holding the matching private keys.
 *
 *   const idp = await startIdentityProvider();             // keys A (ES256), B (ES256), R (RS256); publishes [A]
 *   idp.publish(['A', 'B']);                               // what GET /jwks returns from now on
 *   await idp.setMode('down');                             // up | down | hang | 500 | garbage
 *   const token = await idp.mintToken({ kid: 'B', scopes: ['pricing:read'] });
 *   idp.fetchCount;                                        // JWKS requests the server has seen
 *   const config = loadConfig({ ...testEnv(idp) });
 *   await idp.close();
 *
 * Modes: `down` closes the listener (ECONNREFUSED) and `up` re-opens it on the same port; `hang` accepts the
 * request and never answers; `500` answers 500; `garbage` answers 200 with a body that is not a JWKS.
 */

export type JwksMode = 'up' | 'down' | 'hang' | '500' | 'garbage';
export type TestAlgorithm = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

export interface TestKey {
  readonly kid: string;
  readonly alg: TestAlgorithm;
  readonly privateKey: CryptoKey;
  /** The public JWK as published (kid, alg and use set). */
  readonly publicJwk: JWK;
}

export interface MintOptions {
  /** Key id of a key created by this provider (default 'A'). */
  readonly kid?: string;
  /** Put this value in the header `kid` instead of the key's own (e.g. a forged kid); `null` omits the header. */
  readonly headerKid?: string | null;
  readonly scopes?: readonly string[];
  /** Where scopes go: `scope` (space-separated, default), `scp` as a string, or `scp` as an array. */
  readonly scopeClaim?: 'scope' | 'scp-string' | 'scp-array';
  /** `null` omits the claim. */
  readonly sub?: string | null;
  readonly iss?: string | null;
  readonly aud?: string | readonly string[] | null;
  /** Absolute NumericDate (seconds); `null` omits. Defaults: iat = nbf = now, exp = now + 600. */
  readonly exp?: number | null;
  readonly nbf?: number | null;
  readonly iat?: number | null;
  /** "Now" in Unix seconds, for tests with an injected clock (default: the real clock). */
  readonly now?: number;
  /** Extra or overriding payload claims. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Extra protected-header parameters (alg and kid come from the key unless overridden here). */
  readonly header?: Readonly<Record<string, unknown>>;
}

export interface IdentityProvider {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly port: number;
  /** JWKS requests received since start (any mode except `down`, which refuses the connection). */
  readonly fetchCount: number;
  readonly mode: JwksMode;
  /** The keys created so far, by kid. A, B (ES256) and R (RS256) exist from the start. */
  readonly keys: ReadonlyMap<string, TestKey>;
  addKey(kid: string, alg: TestAlgorithm): Promise<TestKey>;
  /** Replaces the published key set with these kids, in this order. */
  publish(kids: readonly string[]): void;
  setMode(mode: JwksMode): Promise<void>;
  mintToken(options?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

export interface IdentityProviderOptions {
  readonly audience?: string;
  /** Kids published at start (default ['A']). */
  readonly publish?: readonly string[];
}

const JWKS_PATH = '/.well-known/jwks.json';

async function createKey(kid: string, alg: TestAlgorithm): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

// The start-up keys are made once per process and shared by every provider: RSA key generation is slow on a
// shared 2-core machine, and distinct providers have distinct issuers anyway. addKey always makes a fresh key.
let standardKeys: Promise<TestKey[]> | null = null;

export async function startIdentityProvider(options: IdentityProviderOptions = {}): Promise<IdentityProvider> {
  standardKeys ??= Promise.all([createKey('A', 'ES256'), createKey('B', 'ES256'), createKey('R', 'RS256')]);
  const keys = new Map<string, TestKey>();
  for (const key of await standardKeys) keys.set(key.kid, key);
  let published: readonly string[] = options.publish ?? ['A'];
  let mode: JwksMode = 'up';
  let fetchCount = 0;
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url !== JWKS_PATH) {
      res.writeHead(404).end();
      return;
    }
    fetchCount += 1;
    if (mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    // No keep-alive: every fetch opens its own connection, so mode switches never race a pooled socket.
    if (mode === '500') {
      res.writeHead(500, { 'content-type': 'text/plain', connection: 'close' }).end('internal error');
      return;
    }
    if (mode === 'garbage') {
      res
        .writeHead(200, { 'content-type': 'application/json', connection: 'close' })
        .end('<html>this is not a key set</html>');
      return;
    }
    const body = JSON.stringify({ keys: published.map((kid) => keys.get(kid)!.publicJwk) });
    res
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300', connection: 'close' })
      .end(body);
  };

  let server: Server = createServer(handler);
  const track = (s: Server): void => {
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  };
  track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const audience = options.audience ?? 'ope-test';

  const stop = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };

  const provider: IdentityProvider = {
    issuer,
    audience,
    jwksUrl: `${issuer}${JWKS_PATH}`,
    port,
    get fetchCount() {
      return fetchCount;
    },
    get mode() {
      return mode;
    },
    keys,
    async addKey(kid, alg) {
      const key = await createKey(kid, alg);
      keys.set(kid, key);
      return key;
    },
    publish(kids) {
      for (const kid of kids) if (!keys.has(kid)) throw new Error(`identity-provider: no key "${kid}"`);
      published = [...kids];
    },
    async setMode(next) {
      if (next === 'down') {
        await stop();
      } else if (!server.listening) {
        server = createServer(handler);
        track(server);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => resolve());
        });
      }
      if (next !== 'hang') {
        // Release requests left hanging by a previous `hang` mode.
        for (const res of hanging) res.destroy();
        hanging.clear();
      }
      mode = next;
    },
    async mintToken(o = {}) {
      const key = keys.get(o.kid ?? 'A');
      if (key === undefined) throw new Error(`identity-provider: no key "${o.kid}"`);
      const now = o.now ?? Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {};
      const put = (name: string, value: unknown, fallback: unknown): void => {
        const v = value === undefined ? fallback : value;
        if (v !== null) payload[name] = v;
      };
      put('iss', o.iss, issuer);
      put('aud', o.aud, audience);
      put('sub', o.sub, 'alice');
      put('iat', o.iat, now);
      put('nbf', o.nbf, now);
      put('exp', o.exp, now + 600);
      const scopes = o.scopes ?? [];
      if (o.scopeClaim === 'scp-array') payload.scp = [...scopes];
      else if (o.scopeClaim === 'scp-string') payload.scp = scopes.join(' ');
      else payload.scope = scopes.join(' ');
      Object.assign(payload, o.claims);
      const header: Record<string, unknown> = { alg: key.alg, typ: 'JWT', ...o.header };
      const kid = o.headerKid === undefined ? key.kid : o.headerKid;
      if (kid !== null) header.kid = kid;
      return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key.privateKey);
    },
    close: stop,
  };
  return provider;
}

/** The environment variables that point loadConfig at this provider. */
export function testEnv(idp: Pick<IdentityProvider, 'issuer' | 'audience' | 'jwksUrl'>): Record<string, string> {
  return { OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: idp.audience, OIDC_JWKS_URL: idp.jwksUrl };
}
