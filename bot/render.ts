import type { PreviewResult, ScorePart, Signal, Position } from '../engine/index.ts';
import type { Lang, Translate } from './i18n.ts';
import { fmtMoney, fmtNum, fmtPrice, fmtQty, fmtTime } from './format.ts';

/** Localized interval label (e.g. "1h" in English); never throws. */
export function intervalLabel(tr: Translate, interval: string): string {
  return tr('interval', { iv: `i${interval}` });
}

/** Localized side label; never throws. */
export function sideLabel(tr: Translate, side: string): string {
  return tr('side', { side });
}

/** Prices joined with the locale's list separator; never throws. */
export function priceList(tr: Translate, lang: Lang, prices: readonly number[]): string {
  return prices.map((p) => fmtPrice(lang, p)).join(tr('list-separator'));
}

/** Score parts as "name score", strongest first, at most `n`; never throws. */
export function partsText(tr: Translate, lang: Lang, parts: readonly ScorePart[], n = 8): string {
  return [...parts]
    .sort((a, b) => b.score - a.score)
    .slice(0, n)
    .map((p) => tr('metric-score', { metric: tr('metric', { name: p.name }), score: fmtNum(lang, p.score, 1) }))
    .join(tr('list-separator'));
}

/** One line per signal (for /scan and /signals); never throws. */
export function signalLine(tr: Translate, lang: Lang, s: Signal): string {
  return tr('signal-line', {
    symbol: s.symbol,
    side: sideLabel(tr, s.side),
    interval: intervalLabel(tr, s.interval),
    strategy: s.strategy,
    score: fmtNum(lang, s.score, 1),
    id: s.id,
  });
}

/** A signal in full (for /signal and the Details button); never throws. */
export function signalFull(tr: Translate, lang: Lang, s: Signal): string {
  return tr('signal-full', {
    symbol: s.symbol,
    side: sideLabel(tr, s.side),
    interval: intervalLabel(tr, s.interval),
    strategy: s.strategy,
    stage: tr('signal-stage', { stage: s.stage }),
    score: fmtNum(lang, s.score, 1),
    regime: s.regime,
    status: tr('signal-status', { status: s.status }),
    entry: fmtPrice(lang, s.entry),
    stop: fmtPrice(lang, s.stop),
    targets: priceList(tr, lang, s.targets),
    created: fmtTime(lang, s.createdAt),
    expires: fmtTime(lang, s.expiresAt),
    parts: partsText(tr, lang, s.scoreParts),
    id: s.id,
  });
}

/**
 * The alert for one recipient: compact (strongest three parts) or full, with the risk in USDT at the
 * recipient's sizing when a preview was available; never throws.
 */
export function alertText(tr: Translate, lang: Lang, s: Signal, preview: PreviewResult | null, detail: 'compact' | 'full'): string {
  const risk = preview ? tr('risk-usdt', { risk: fmtMoney(lang, preview.riskUsdt), pct: fmtNum(lang, preview.riskPct, 2) }) : tr('not-available');
  const base = tr('alert-compact', {
    symbol: s.symbol,
    side: sideLabel(tr, s.side),
    interval: intervalLabel(tr, s.interval),
    strategy: s.strategy,
    score: fmtNum(lang, s.score, 1),
    parts: partsText(tr, lang, s.scoreParts, 3),
    entry: fmtPrice(lang, s.entry),
    stop: fmtPrice(lang, s.stop),
    targets: priceList(tr, lang, s.targets),
    risk,
  });
  if (detail !== 'full') return base;
  return `${base}\n${tr('alert-full-extra', { regime: s.regime, expires: fmtTime(lang, s.expiresAt), parts: partsText(tr, lang, s.scoreParts) })}`;
}

/** The Execute confirmation text (size, margin, risk, stop, targets, validity); never throws. */
export function confirmText(tr: Translate, lang: Lang, p: PreviewResult, ttlS: number): string {
  return tr('confirm-execute', {
    side: sideLabel(tr, p.side),
    symbol: p.symbol,
    qty: fmtQty(lang, p.qty),
    notional: fmtMoney(lang, p.notional),
    leverage: fmtNum(lang, p.leverage, 2),
    margin: fmtMoney(lang, p.margin),
    risk: fmtMoney(lang, p.riskUsdt),
    riskPct: fmtNum(lang, p.riskPct, 2),
    stop: fmtPrice(lang, p.stop),
    targets: priceList(tr, lang, p.targets),
    ttl: ttlS,
  });
}

/** One line per open position; never throws. */
export function positionLine(tr: Translate, lang: Lang, p: Position): string {
  return tr('position-line', {
    symbol: p.symbol,
    side: sideLabel(tr, p.side),
    qty: fmtQty(lang, p.qty),
    entry: fmtPrice(lang, p.entryPrice),
    stop: fmtPrice(lang, p.stop),
    upnl: p.unrealizedPnl === null ? tr('not-available') : fmtMoney(lang, p.unrealizedPnl, true),
    id: p.id,
  });
}

/** "3 h 12 min" for a duration in ms; never throws. */
export function durationText(tr: Translate, ms: number): string {
  const totalMin = Math.max(0, Math.floor(ms / 60_000));
  return tr('duration', { hours: Math.floor(totalMin / 60), minutes: totalMin % 60 });
}

/** A feed lag ("4.2 s") or n/a; never throws. */
export function lagText(tr: Translate, lang: Lang, lagMs: number | null): string {
  return lagMs === null ? tr('not-available') : tr('seconds', { seconds: fmtNum(lang, lagMs / 1000, 1) });
}
