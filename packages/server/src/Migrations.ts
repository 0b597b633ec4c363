/**
 * The local server's schema, as versioned migrations applied by `@leadr-toolkit/sqlite`.
 *
 * Timestamps are ISO 8601 strings with millisecond precision (always 24
 * characters), so text order is time order and they compare in SQL and in
 * cursors alike. Soft-deleted rows keep their ids: an id is never reused.
 *
 * @since 0.1.0
 */
import type { Sqlite } from "@leadr-toolkit/sqlite"

const v1 = `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX accounts_created ON accounts (created_at DESC, id);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  email TEXT NOT NULL,
  display_name TEXT NOT NULL,
  super_admin INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'active',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX users_account_created ON users (account_id, created_at DESC, id);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  user_id TEXT NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  last_used_at TEXT,
  expires_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX api_keys_account_created ON api_keys (account_id, created_at DESC, id);

CREATE TABLE games (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  steam_app_id TEXT,
  default_board_id TEXT,
  anti_cheat_enabled INTEGER NOT NULL DEFAULT 1,
  description TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  page_url TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX games_account_created ON games (account_id, created_at DESC, id);

CREATE TABLE boards (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  game_id TEXT NOT NULL REFERENCES games (id),
  name TEXT NOT NULL,
  slug TEXT NOT NULL,
  icon TEXT,
  short_code TEXT NOT NULL UNIQUE,
  unit TEXT,
  is_active INTEGER NOT NULL,
  is_published INTEGER NOT NULL,
  sort_direction TEXT NOT NULL,
  keep_strategy TEXT NOT NULL,
  created_from_template_id TEXT,
  template_name TEXT,
  starts_at TEXT,
  ends_at TEXT,
  tags TEXT NOT NULL DEFAULT '[]',
  description TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE UNIQUE INDEX boards_game_slug ON boards (game_id, slug);
CREATE INDEX boards_account_created ON boards (account_id, created_at DESC, id);
CREATE INDEX boards_game_created ON boards (game_id, created_at DESC, id);
CREATE INDEX boards_account_name ON boards (account_id, name, id);
CREATE INDEX boards_account_slug ON boards (account_id, slug, id);
CREATE INDEX boards_account_updated ON boards (account_id, updated_at, id);
CREATE INDEX boards_created ON boards (created_at DESC, id);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  game_id TEXT NOT NULL REFERENCES games (id),
  client_fingerprint TEXT NOT NULL,
  platform TEXT,
  status TEXT NOT NULL DEFAULT 'active',
  metadata TEXT NOT NULL DEFAULT '{}',
  first_seen_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE UNIQUE INDEX devices_game_fingerprint ON devices (game_id, client_fingerprint);
CREATE INDEX devices_account_created ON devices (account_id, created_at DESC, id);
CREATE INDEX devices_game_created ON devices (game_id, created_at DESC, id);
CREATE INDEX devices_account_status ON devices (account_id, status, created_at DESC, id);

CREATE TABLE device_sessions (
  id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices (id),
  token_version INTEGER NOT NULL DEFAULT 1,
  test_mode INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX device_sessions_device ON device_sessions (device_id);

CREATE TABLE nonces (
  value TEXT PRIMARY KEY,
  device_id TEXT NOT NULL REFERENCES devices (id),
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX nonces_expires ON nonces (expires_at);

-- Every submission is kept as a score event; 'kept' says whether the board's
-- keep strategy shows it, 'rejected' marks a submission refused by the rate limit.
CREATE TABLE scores (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  game_id TEXT NOT NULL REFERENCES games (id),
  board_id TEXT NOT NULL REFERENCES boards (id),
  device_id TEXT NOT NULL REFERENCES devices (id),
  player_name TEXT NOT NULL,
  value REAL NOT NULL,
  value_display TEXT,
  metadata TEXT,
  timezone TEXT,
  country TEXT,
  city TEXT,
  is_test INTEGER NOT NULL DEFAULT 0,
  kept INTEGER NOT NULL DEFAULT 1,
  rejected INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX scores_account_created ON scores (account_id, created_at DESC, id);
CREATE INDEX scores_board_created ON scores (board_id, created_at DESC, id);
-- The leaderboard itself: what ranks, around-windows and value sorts read.
CREATE INDEX scores_board_rank ON scores (board_id, is_test, value, created_at, id)
  WHERE kept = 1 AND rejected = 0 AND deleted_at IS NULL;
CREATE INDEX scores_game_created ON scores (game_id, created_at DESC, id);
CREATE INDEX scores_device_board ON scores (device_id, board_id, created_at);
CREATE INDEX scores_created ON scores (created_at DESC, id);

CREATE TABLE score_flags (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts (id),
  game_id TEXT NOT NULL REFERENCES games (id),
  board_id TEXT NOT NULL REFERENCES boards (id),
  score_id TEXT NOT NULL REFERENCES scores (id),
  flag_type TEXT NOT NULL,
  confidence TEXT NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'pending',
  reviewed_at TEXT,
  reviewer_id TEXT,
  reviewer_decision TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX score_flags_account_created ON score_flags (account_id, created_at DESC, id);
CREATE INDEX score_flags_board_created ON score_flags (board_id, created_at DESC, id);
CREATE INDEX score_flags_game_created ON score_flags (game_id, created_at DESC, id);
CREATE INDEX score_flags_account_status ON score_flags (account_id, status, created_at DESC, id);
CREATE INDEX score_flags_account_type ON score_flags (account_id, flag_type, created_at DESC, id);
CREATE INDEX score_flags_score ON score_flags (score_id);

CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  score_id TEXT NOT NULL REFERENCES scores (id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);
`

// The keep strategy's "current" event of a device on a board: a seek, however
// many events the device's board history holds (most of them not kept).
const v2 = `
CREATE INDEX scores_device_board_visible ON scores (device_id, board_id, is_test, created_at)
  WHERE kept = 1 AND rejected = 0 AND deleted_at IS NULL;
`

/**
 * Every migration, in order. Add a new version; never edit an applied one.
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrations: ReadonlyArray<Sqlite.Migration> = [
  { version: 1, name: "initial", sql: v1 },
  { version: 2, name: "current score index", sql: v2 },
]
