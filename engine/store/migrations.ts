/**
 * Numbered schema migrations; migration N brings `PRAGMA user_version` from N-1 to N.
 * Append only: never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE actors (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    role TEXT NOT NULL,
    settings TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  ) WITHOUT ROWID;

  CREATE TABLE rate_limits (
    actor_key TEXT NOT NULL,
    name TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (actor_key, name)
  ) WITHOUT ROWID;

  CREATE TABLE signals (
    id TEXT PRIMARY KEY,
    symbol TEXT NOT NULL,
    interval TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('long','short')),
    strategy TEXT NOT NULL,
    score REAL NOT NULL,
    score_parts TEXT NOT NULL,
    entry REAL NOT NULL,
    stop REAL NOT NULL,
    targets TEXT NOT NULL,
    bar_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('live','executed','expired','superseded')),
    stage TEXT NOT NULL CHECK (stage IN ('live','shadow')),
    regime TEXT NOT NULL
  );
  CREATE UNIQUE INDEX signals_one_live ON signals (symbol, side, strategy) WHERE status = 'live';
  CREATE INDEX signals_created ON signals (created_at);

  CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL,
    bid REAL NOT NULL,
    ask REAL NOT NULL,
    last REAL NOT NULL,
    mark REAL NOT NULL,
    ts INTEGER NOT NULL,
    source TEXT NOT NULL,
    taken_at INTEGER NOT NULL
  );

  CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    mode TEXT NOT NULL CHECK (mode IN ('paper','live')),
    order_link_id TEXT NOT NULL UNIQUE,
    venue_order_id TEXT,
    signal_id TEXT REFERENCES signals(id),
    position_id TEXT,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('long','short')),
    qty REAL NOT NULL CHECK (qty > 0),
    type TEXT NOT NULL,
    price REAL,
    reduce_only INTEGER NOT NULL,
    stop REAL,
    targets TEXT NOT NULL,
    leverage REAL NOT NULL,
    quote_id INTEGER REFERENCES quotes(id),
    status TEXT NOT NULL CHECK (status IN ('submitting','accepted','filled','rejected','cancelled','unknown')),
    error_code TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX orders_status ON orders (status);
  CREATE INDEX orders_symbol ON orders (mode, symbol);

  CREATE TABLE positions (
    id TEXT PRIMARY KEY,
    mode TEXT NOT NULL CHECK (mode IN ('paper','live')),
    symbol TEXT NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('long','short')),
    qty REAL NOT NULL CHECK (qty >= 0),
    initial_qty REAL NOT NULL CHECK (initial_qty > 0),
    entry_price REAL NOT NULL,
    initial_stop REAL NOT NULL,
    stop REAL NOT NULL,
    targets TEXT NOT NULL,
    targets_hit INTEGER NOT NULL DEFAULT 0,
    leverage REAL NOT NULL,
    break_even_locked INTEGER NOT NULL DEFAULT 0,
    signal_id TEXT,
    actor_id TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    close_reason TEXT,
    realized_pnl REAL NOT NULL DEFAULT 0,
    fees REAL NOT NULL DEFAULT 0,
    last_price REAL,
    status TEXT NOT NULL CHECK (status IN ('open','closed'))
  );
  CREATE UNIQUE INDEX positions_one_open ON positions (mode, symbol) WHERE status = 'open';
  CREATE INDEX positions_closed ON positions (mode, closed_at);

  CREATE TABLE fills (
    exec_id TEXT PRIMARY KEY,
    mode TEXT NOT NULL,
    order_id TEXT NOT NULL,
    order_link_id TEXT NOT NULL,
    position_id TEXT REFERENCES positions(id),
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    qty REAL NOT NULL CHECK (qty > 0),
    price REAL NOT NULL CHECK (price > 0),
    fee REAL NOT NULL,
    kind TEXT NOT NULL,
    quote_id INTEGER REFERENCES quotes(id),
    at INTEGER NOT NULL
  );
  CREATE INDEX fills_position ON fills (position_id);

  CREATE TABLE risk_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    entries_paused INTEGER NOT NULL DEFAULT 0,
    kill_switch INTEGER NOT NULL DEFAULT 0,
    breaker_tripped INTEGER NOT NULL DEFAULT 0,
    day_start INTEGER NOT NULL DEFAULT 0,
    day_start_equity REAL NOT NULL DEFAULT 0,
    reason TEXT,
    updated_at INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO risk_state (id) VALUES (1);

  CREATE TABLE cooldowns (
    mode TEXT NOT NULL,
    symbol TEXT NOT NULL,
    until INTEGER NOT NULL,
    PRIMARY KEY (mode, symbol)
  ) WITHOUT ROWID;

  CREATE TABLE strategy_stages (
    name TEXT PRIMARY KEY,
    stage TEXT NOT NULL CHECK (stage IN ('live','shadow')),
    changed_at INTEGER NOT NULL,
    reason TEXT NOT NULL
  );

  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
  );
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
  `,
  // 2: lookups the ledger does on every execution and every report
  `
  CREATE INDEX fills_order_link ON fills (order_link_id);
  CREATE INDEX orders_signal ON orders (signal_id);
  `,
  // 3: positions remember which front-end's actor opened them (fill and close notices go to the right place)
  `
  ALTER TABLE positions ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'system';
  `,
  // 4: positions carry their signal's strategy, so auto-demotion reads a strategy's last closed positions
  // off one index (the join through signals walked every strategy's closes on every close)
  `
  ALTER TABLE positions ADD COLUMN strategy TEXT;
  UPDATE positions SET strategy = (SELECT s.strategy FROM signals s WHERE s.id = positions.signal_id) WHERE signal_id IS NOT NULL;
  CREATE INDEX positions_strategy_closed ON positions (mode, strategy, closed_at) WHERE status = 'closed';
  `,
];
