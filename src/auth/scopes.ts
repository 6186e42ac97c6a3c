/** The scopes OPE's routes require (docs/api.md, "Routes"). */
export const SCOPES = {
  pricingRead: 'pricing:read',
  riskRead: 'risk:read',
  marketDataRead: 'market-data:read',
  marketDataWrite: 'market-data:write',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** Every scope, e.g. for the embedded development identity's token. */
export const ALL_SCOPES: readonly Scope[] = Object.freeze(Object.values(SCOPES));

/**
 * Scopes from the `scope` claim when it is present as a string (space-separated, RFC 8693 / RFC 9068) or an array
 * (as many providers send it); otherwise from `scp` (a string or an array, as Azure AD and Okta send it). The two
 * are never united: a token whose `scope` grants nothing grants nothing, whatever its `scp` says, as in the Python
 * service. Whitespace of any kind separates scopes; array items that are not strings are ignored.
 */
export function scopesFromClaims(claims: Readonly<Record<string, unknown>>): ReadonlySet<string> {
  const scopes = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value !== 'string') return;
    for (const s of value.split(/\s+/)) if (s !== '') scopes.add(s);
  };
  const readable = (value: unknown): boolean => typeof value === 'string' || Array.isArray(value);
  const source = readable(claims.scope) ? claims.scope : claims.scp;
  if (Array.isArray(source)) for (const s of source) add(s);
  else add(source);
  return scopes;
}
