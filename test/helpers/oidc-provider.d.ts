// oidc-provider 9 ships no type declarations; this is the slice test/auth/oidc-provider.test.ts uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AccessTokenJwt {
    header: Record<string, unknown> | undefined;
    payload: Record<string, unknown>;
  }

  export interface Configuration {
    clients?: Record<string, unknown>[];
    jwks?: { keys: Record<string, unknown>[] };
    scopes?: string[];
    ttl?: Record<string, number>;
    features?: Record<string, Record<string, unknown>>;
    formats?: { customizers?: { jwt?: (ctx: unknown, token: unknown, jwt: AccessTokenJwt) => void | Promise<void> } };
  }

  export default class Provider {
    constructor(issuer: string, configuration?: Configuration);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
