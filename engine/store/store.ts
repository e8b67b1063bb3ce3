import type { Db } from './db.ts';
import { ActorsRepo } from './actors-repo.ts';
import { AuditRepo } from './audit-repo.ts';
import { LimitsRepo } from './limits-repo.ts';
import { OrdersRepo } from './orders-repo.ts';
import { PositionsRepo } from './positions-repo.ts';
import { RiskRepo } from './risk-repo.ts';
import { SignalsRepo } from './signals-repo.ts';
import { Transactions } from './transactions.ts';

/** Every repository over one connection, plus `tx` to run a function in one SQLite transaction. */
export interface Store {
  db: Db;
  actors: ActorsRepo;
  audit: AuditRepo;
  limits: LimitsRepo;
  orders: OrdersRepo;
  positions: PositionsRepo;
  risk: RiskRepo;
  signals: SignalsRepo;
  /** Runs `fn` inside BEGIN IMMEDIATE … COMMIT (rolled back if it throws; a savepoint when nested). */
  tx<T>(fn: () => T): T;
}

/** Builds the repositories over an open, migrated connection; throws only on a broken schema. */
export function createStore(db: Db): Store {
  const txs = new Transactions(db);
  return {
    db,
    actors: new ActorsRepo(db),
    audit: new AuditRepo(db),
    limits: new LimitsRepo(db),
    orders: new OrdersRepo(db),
    positions: new PositionsRepo(db, txs),
    risk: new RiskRepo(db),
    signals: new SignalsRepo(db, txs),
    tx: <T>(fn: () => T): T => txs.immediate(fn),
  };
}
