import { InputFile } from 'grammy';
import type { Api, RawApi } from 'grammy';
import type { DeskEvent } from '../engine/index.ts';
import type { Role, Settings, Signal } from '../engine/index.ts';
import type { BotDeps } from './context.ts';
import { pickLang, type Lang, type Translate } from './i18n.ts';
import { chatIdOfActor, roleFor, telegramActor } from './roles.ts';
import { alertText, sideLabel } from './render.ts';
import { alertKeyboard } from './signal-buttons.ts';
import { codeText } from './error-text.ts';
import { fmtMoney, fmtPrice, fmtQty } from './format.ts';
import { sendLong } from './reply.ts';
import { reportText } from './commands/admin.ts';
import { renderChart } from './chart.ts';
import { runPooled } from './pool.ts';

const CAPTION_LIMIT = 1024;
const SEND_CONCURRENCY = 8;

/**
 * Turns desk events into Telegram messages: signal alerts to subscribed users (mutes respected by the
 * Desk) with nonce-bound buttons; fills, rejections and closes to the actor; breaker and kill-switch
 * changes to traders and admins; strategy, reconcile and daily-report events to admins. Never throws;
 * failures are logged (a blocked user never stops the others).
 */
export class AlertDispatcher {
  private readonly inflight = new Set<Promise<void>>();

  /** Creates a dispatcher sending through `api`. */
  constructor(
    private readonly deps: BotDeps,
    private readonly api: Api<RawApi>,
  ) {}

  /** Starts handling `event` in the background and returns the promise of its completion (never rejects). */
  handle(event: DeskEvent): Promise<void> {
    const p = this.route(event).catch((err: unknown) => {
      this.deps.logger.error({ err: String((err as Error)?.message ?? err), event: event.type }, 'alert dispatch failed');
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  /** Resolves when every event handled so far is done; never rejects. */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  private async route(ev: DeskEvent): Promise<void> {
    switch (ev.type) {
      case 'signal.created':
        return this.signalAlert(ev.signal);
      case 'order.filled':
        return this.toActor(ev.actorKind, ev.actorId, (tr, lang) =>
          tr(ev.reduceOnly ? 'fill-notice-reduce' : 'fill-notice', {
            side: sideLabel(tr, ev.side),
            qty: fmtQty(lang, ev.qty),
            symbol: ev.symbol,
            price: fmtPrice(lang, ev.price),
          }),
        );
      case 'order.rejected':
        return this.toActor(ev.actorKind, ev.actorId, (tr) => tr('order-rejected', { symbol: ev.symbol, reason: codeText(tr, ev.code) }));
      case 'position.closed':
        return this.toActor(ev.position.actorKind, ev.position.actorId, (tr, lang) =>
          tr('position-closed', {
            symbol: ev.position.symbol,
            side: sideLabel(tr, ev.position.side),
            pnl: fmtMoney(lang, ev.position.realizedPnl, true),
            reason: tr('close-reason', { reason: ev.reason }),
          }),
        );
      case 'risk.tripped':
        return this.toStaff(['trader', 'admin'], (tr) => tr('risk-tripped', { what: ev.what, reason: ev.reason }));
      case 'risk.cleared':
        return this.toStaff(['trader', 'admin'], (tr) => tr('risk-cleared', { what: ev.what }));
      case 'strategy.stage':
        return this.toStaff(['admin'], (tr) =>
          tr('strategy-stage', { strategy: ev.strategy, stage: tr('signal-stage', { stage: ev.stage }), reason: ev.reason }),
        );
      case 'reconcile.mismatch':
        return this.toStaff(['admin'], (tr) => tr('reconcile-mismatch', { symbol: ev.symbol, action: ev.action, reason: ev.reason }));
      case 'report.daily':
        return this.toStaff(['admin'], (tr, lang) => reportText(tr, lang, ev.report));
      default:
        return;
    }
  }

  private async settingsOf(userId: string, role: Role): Promise<Settings | null> {
    try {
      return (await this.deps.desk.getSettings(telegramActor(userId, role))).settings;
    } catch {
      return null;
    }
  }

  private async toActor(actorKind: string, actorId: string, render: (tr: Translate, lang: Lang) => string): Promise<void> {
    if (actorKind !== 'telegram') return; // an RPC or MCP actor named with digits is not a Telegram chat
    const chatId = chatIdOfActor(actorId);
    if (chatId === null) return;
    const role = roleFor(this.deps.config, chatId);
    if (role === null) return;
    const lang = pickLang((await this.settingsOf(String(chatId), role))?.language);
    await sendLong(this.api, chatId, render(this.deps.trFor(lang), lang));
  }

  private async toStaff(roles: Role[], render: (tr: Translate, lang: Lang) => string): Promise<void> {
    const { config } = this.deps;
    const ids = new Set<string>();
    if (roles.includes('admin')) for (const id of config.TELEGRAM_ADMIN_IDS) ids.add(id);
    if (roles.includes('trader')) for (const id of config.TELEGRAM_TRADER_IDS) ids.add(id);
    await runPooled([...ids], SEND_CONCURRENCY, async (id) => {
      const role = roleFor(config, id) ?? 'viewer';
      const lang = pickLang((await this.settingsOf(id, role))?.language);
      await sendLong(this.api, Number(id), render(this.deps.trFor(lang), lang));
    }, (e, id) => this.logSendError(e, id));
  }

  private async signalAlert(signal: Signal): Promise<void> {
    if (signal.stage !== 'live' || signal.status !== 'live') return;
    const { desk, config } = this.deps;
    const recipients = await desk.alertRecipients(signal, 'telegram');
    let chart: Buffer | null = null;
    if (config.TELEGRAM_CHARTS && this.deps.candles) {
      try {
        const candles = await this.deps.candles(signal.symbol, signal.interval, 120);
        if (candles.length >= 2) chart = renderChart(candles, signal);
      } catch (err) {
        this.deps.logger.warn({ err: String((err as Error)?.message ?? err), symbol: signal.symbol }, 'chart failed; alert sent without it');
      }
    }
    await runPooled(recipients, SEND_CONCURRENCY, async (r) => {
      const chatId = chatIdOfActor(r.actorId);
      if (chatId === null) return;
      const role = roleFor(config, chatId);
      if (role === null) return;
      const actor = telegramActor(chatId, role);
      const lang = pickLang(r.settings.language);
      const tr = this.deps.trFor(lang);
      const riskPct = r.settings.riskPct ?? undefined;
      const preview = await desk.previewExecution(actor, riskPct === undefined ? { signalId: signal.id } : { signalId: signal.id, riskPct }).catch(() => null);
      const text = alertText(tr, lang, signal, preview, r.settings.alertDetail);
      const kb = alertKeyboard(this.deps, tr, actor.id, role, signal);
      if (chart && text.length <= CAPTION_LIMIT) {
        await this.api.sendPhoto(chatId, new InputFile(chart, `${signal.symbol}.png`), { caption: text, reply_markup: kb });
      } else {
        if (chart) await this.api.sendPhoto(chatId, new InputFile(chart, `${signal.symbol}.png`));
        await sendLong(this.api, chatId, text, kb);
      }
    }, (e, r) => this.logSendError(e, r.actorId));
  }

  private logSendError(e: unknown, to: string): void {
    const desc = (e as { description?: string })?.description ?? (e as Error)?.message ?? String(e);
    this.deps.logger.warn({ to, err: desc.slice(0, 200) }, 'telegram send failed');
  }
}
