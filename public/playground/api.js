/* global fetch */
/**
 * Calls to OPE's public API with a bearer token, and the API's errors turned into what the form shows: one message
 * per field the error names (`loc` of a 422), or one message for the whole form.
 */

/** The form field a 422 `loc` names: ["body","contracts",0,"strike_price"] -> "strike_price"; null for the body itself. */
export function fieldOfLocation(loc) {
  if (!Array.isArray(loc) || loc[0] !== 'body') return null;
  if (loc[1] === 'contracts') return typeof loc[3] === 'string' ? loc[3] : null;
  if (loc[1] === 'market_data') return typeof loc[2] === 'string' ? loc[2] : null;
  return typeof loc[1] === 'string' ? loc[1] : null;
}

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0: the request never got an answer)
   * @param {string} message for the form as a whole
   * @param {Map<string, string>} fields field name -> message, for errors that name a field
   * @param {number|null} retryAfterSeconds from Retry-After (429, 503)
   */
  constructor(status, message, fields = new Map(), retryAfterSeconds = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fields = fields;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** An error response -> ApiError. Messages are the API's own, with the request id to quote in a bug report. */
export async function apiErrorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const retryAfter = response.headers.get('retry-after');
  const retryAfterSeconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  const requestId = body?.request_id ?? response.headers.get('x-request-id');
  const suffix = requestId ? ` (request ${requestId})` : '';
  const detail = body?.detail;
  const fields = new Map();
  const unplaced = [];
  if (Array.isArray(detail)) {
    for (const issue of detail) {
      const field = fieldOfLocation(issue?.loc);
      const message = String(issue?.msg ?? 'Invalid value');
      if (field === null) unplaced.push(message);
      else fields.set(field, fields.has(field) ? `${fields.get(field)}; ${message}` : message);
    }
  }
  let message;
  if (typeof detail === 'string') message = detail;
  else if (unplaced.length > 0) message = unplaced.join('; ');
  else if (fields.size > 0) message = 'The API refused some fields; see the messages beside them.';
  else message = `HTTP ${response.status}`;
  if (response.status === 429 && retryAfterSeconds !== null) message += `: retry in ${retryAfterSeconds} s`;
  return new ApiError(response.status, message + suffix, fields, retryAfterSeconds);
}

/**
 * A client for /api/v1. `tokens.current()` gives the bearer token to send (or null); after a 401,
 * `tokens.renew()` may fetch a fresh one (true: retry once with it).
 */
export function createApiClient(tokens) {
  async function call(method, path, jsonText, signal) {
    for (let attempt = 0; ; attempt += 1) {
      const token = await tokens.current();
      if (token === null)
        throw new ApiError(
          401,
          'No bearer token: paste one with the pricing:read scope.',
          new Map([['token', 'Required']]),
        );
      const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
      if (jsonText !== undefined) headers['content-type'] = 'application/json';
      let response;
      try {
        response = await fetch(path, { method, headers, body: jsonText, signal });
      } catch (error) {
        if (error?.name === 'AbortError') throw error;
        throw new ApiError(0, `The API did not answer: ${error?.message ?? error}`);
      }
      if (response.ok) return response.json();
      if (response.status === 401 && attempt === 0 && (await tokens.renew())) continue;
      const error = await apiErrorOf(response);
      // A refused token is the token field's problem, whichever request found it.
      if (response.status === 401 || response.status === 403) error.fields.set('token', error.message);
      throw error;
    }
  }
  return {
    get: (path, signal) => call('GET', path, undefined, signal),
    post: (path, jsonText, signal) => call('POST', path, jsonText, signal),
  };
}

/**
 * The development token OPE hands its own page when it runs with the embedded development identity
 * (GET /playground/token); null anywhere else (the route is absent), and then the user pastes a token.
 */
export async function fetchDevelopmentToken(now = Date.now) {
  let response;
  try {
    response = await fetch('/playground/token', { headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch {
    return null;
  }
  if (!response.ok) return null;
  const body = await response.json();
  if (typeof body?.access_token !== 'string' || typeof body?.expires_in !== 'number') return null;
  return { token: body.access_token, scope: String(body.scope ?? ''), expiresAt: now() + body.expires_in * 1000 };
}
