/** The scopes OPE's routes require (API-V1.md, "Routes"). */
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
 * Scopes from `scope` (space-separated string, RFC 8693 / RFC 9068) and `scp` (a string or an array, as Azure AD
 * and Okta send it). Both are read and united; anything that is not a string is ignored rather than trusted.
 */
export function scopesFromClaims(claims: Readonly<Record<string, unknown>>): ReadonlySet<string> {
  const scopes = new Set<string>();
  const addSpaced = (value: unknown): void => {
    if (typeof value !== 'string') return;
    for (const s of value.split(' ')) if (s !== '') scopes.add(s);
  };
  addSpaced(claims.scope);
  if (Array.isArray(claims.scp)) for (const s of claims.scp) addSpaced(s);
  else addSpaced(claims.scp);
  return scopes;
}
