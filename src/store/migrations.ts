/**
 * The store's schema, as numbered migrations applied in order at start (docs/architecture.md, "The store").
 * A migration, once released, is never edited: a change is a new entry. Both dialects keep the same tables:
 *
 *   schema_migrations   which migrations ran
 *   surface_head        one row: the latest surface version; updating it serialises writers, so versions are
 *                       handed out in commit order and "the last committed upsert wins" holds across instances
 *   volatility_changes  the append-only history (version, point, subject, changed_at): as_of is a replay of it
 *   volatility_points   the current surface (what every instance loads)
 *   documents           the DocumentStore's keyed, expiring JSON documents
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'volatility surface with history; documents',
    sqlite: `
      CREATE TABLE surface_head (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
      INSERT INTO surface_head (id, version) VALUES (1, 0);
      CREATE TABLE volatility_changes (
        version INTEGER PRIMARY KEY,
        strike REAL NOT NULL,
        maturity REAL NOT NULL,
        volatility REAL NOT NULL,
        point_timestamp REAL NOT NULL,
        source TEXT NOT NULL,
        subject TEXT,
        changed_at TEXT NOT NULL
      );
      CREATE INDEX volatility_changes_changed_at ON volatility_changes (changed_at);
      CREATE TABLE volatility_points (
        strike REAL NOT NULL,
        maturity REAL NOT NULL,
        volatility REAL NOT NULL,
        point_timestamp REAL NOT NULL,
        source TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX volatility_points_strike ON volatility_points (strike);
      CREATE TABLE documents (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX documents_kind_created ON documents (kind, created_at);
      CREATE INDEX documents_expires_at ON documents (expires_at) WHERE expires_at IS NOT NULL;
    `,
    postgres: `
      CREATE TABLE surface_head (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
      INSERT INTO surface_head (id, version) VALUES (1, 0);
      CREATE TABLE volatility_changes (
        version bigint PRIMARY KEY,
        strike double precision NOT NULL,
        maturity double precision NOT NULL,
        volatility double precision NOT NULL,
        point_timestamp double precision NOT NULL,
        source text NOT NULL,
        subject text,
        changed_at timestamptz NOT NULL
      );
      CREATE INDEX volatility_changes_changed_at ON volatility_changes (changed_at);
      CREATE TABLE volatility_points (
        strike double precision NOT NULL,
        maturity double precision NOT NULL,
        volatility double precision NOT NULL,
        point_timestamp double precision NOT NULL,
        source text NOT NULL,
        version bigint NOT NULL
      );
      CREATE INDEX volatility_points_strike ON volatility_points (strike);
      CREATE TABLE documents (
        kind text NOT NULL,
        id text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz,
        PRIMARY KEY (kind, id)
      );
      CREATE INDEX documents_kind_created ON documents (kind, created_at);
      CREATE INDEX documents_expires_at ON documents (expires_at) WHERE expires_at IS NOT NULL;
    `,
  },
];
