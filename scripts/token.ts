// Mints a development bearer token (HS256, iss "ope-dev", aud "ope") signed with DEV_JWT_SECRET and prints it.
//   DEV_JWT_SECRET=... npm run token -- --scope pricing:read,risk:read [--sub alice] [--ttl 3600]
// The secret is decoded exactly as the service decodes it (plain, base64: or hex:, at least 32 bytes).
import { parseArgs } from 'node:util';
import { ConfigError, decodeSecret } from '../src/config/config.js';
import { mintDevToken } from '../src/auth/dev-token.js';

const USAGE = 'usage: npm run token -- --scope pricing:read,risk:read [--sub alice] [--ttl 3600]';

function fail(message: string): never {
  console.error(`token: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

let values: { scope?: string[]; sub?: string; ttl?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      scope: { type: 'string', multiple: true },
      sub: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help === true) {
  console.log(USAGE);
  process.exit(0);
}

const secretText = process.env.DEV_JWT_SECRET?.trim();
if (secretText === undefined || secretText === '') {
  fail(
    'DEV_JWT_SECRET is not set; export the same value the service runs with (plain text, base64:... or hex:..., >= 32 bytes)',
  );
}
let secret: Uint8Array;
try {
  secret = decodeSecret(secretText, 'DEV_JWT_SECRET');
} catch (error) {
  fail(error instanceof ConfigError ? error.message : String(error));
}

const scopes = (values.scope ?? []).flatMap((s) => s.split(/[,\s]+/)).filter((s) => s !== '');
if (scopes.length === 0) fail('at least one --scope is required');
const ttlText = values.ttl ?? '3600';
if (!/^\d+$/.test(ttlText) || Number(ttlText) < 1)
  fail(`--ttl must be a whole number of seconds >= 1, got "${ttlText}"`);
if (values.sub !== undefined && values.sub.trim() === '') fail('--sub must not be empty');

const token = await mintDevToken({
  secret,
  scopes,
  ttlSeconds: Number(ttlText),
  ...(values.sub === undefined ? {} : { sub: values.sub }),
});
process.stdout.write(`${token}\n`);
