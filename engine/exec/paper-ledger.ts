import type { PaperBookEntry, PaperLedger } from './paper-broker.ts';
import type { Store } from '../store/store.ts';
import type { VenueBalance } from './broker.ts';
import type { PositionRow } from '../store/positions-repo.ts';

/** Margin in use and unrealized PnL (at each position's last price) of open positions; never throws. */
export function openExposure(
  positions: Iterable<Pick<PositionRow, 'side' | 'qty' | 'entryPrice' | 'lastPrice' | 'leverage'>>,
): { usedMargin: number; unrealizedPnl: number } {
  let unrealizedPnl = 0;
  let usedMargin = 0;
  for (const p of positions) {
    const dir = p.side === 'long' ? 1 : -1;
    unrealizedPnl += ((p.lastPrice ?? p.entryPrice) - p.entryPrice) * p.qty * dir;
    usedMargin += (p.entryPrice * p.qty) / p.leverage;
  }
  return { usedMargin, unrealizedPnl };
}

/**
 * Paper wallet arithmetic over the store: equity = start equity + realized PnL net of fees + unrealized
 * PnL at each open position's last price; available = equity − margin in use. Never throws.
 */
export function paperBalance(store: Store, startEquity: number): VenueBalance & { usedMargin: number; unrealizedPnl: number } {
  const { usedMargin, unrealizedPnl } = openExposure(store.positions.openView('paper'));
  const equity = startEquity + store.positions.realizedNet('paper') + unrealizedPnl;
  return { equity, available: equity - usedMargin, usedMargin, unrealizedPnl };
}

function bookEntry(p: PositionRow): PaperBookEntry {
  return {
    positionId: p.id,
    symbol: p.symbol,
    side: p.side,
    qty: p.qty,
    initialQty: p.initialQty,
    stop: p.stop,
    targets: p.targets,
    targetsHit: p.targetsHit,
  };
}

/** The PaperLedger the paper broker reads: open paper positions, the paper wallet, quote snapshots; its methods throw only on a broken database. */
export function createPaperLedger(store: Store, startEquity: number, now: () => number): PaperLedger {
  return {
    book: (symbol) => {
      if (symbol === undefined) return store.positions.openAll('paper').map(bookEntry);
      // One symbol: no copy of the other open rows (most bars' symbols hold nothing).
      const p = store.positions.openOn('paper', symbol);
      return p ? [bookEntry(p)] : [];
    },
    balance: () => {
      const b = paperBalance(store, startEquity);
      return { equity: b.equity, available: b.available };
    },
    recordQuote: (q) => store.orders.addQuote(q, now()),
  };
}
