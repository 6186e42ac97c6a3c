/**
 * The slice of a pino (or Fastify) logger the auth code uses. Entries carry an `event` name and facts about keys
 * and fetches; never a token, a secret or an Authorization header.
 */
export interface AuthLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
