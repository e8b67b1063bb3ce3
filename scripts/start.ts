// The composition root: `npm start`. Builds the desk from config, serves /healthz, /metrics, /rpc and
// /mcp on DESK_HOST:DESK_PORT, starts the Telegram bot when a token is set, and shuts down cleanly.
import { parseArgs } from 'node:util';
import {
  DeskError,
  SYSTEM_ACTOR,
  createLogger,
  loadConfig,
  redactedConfig,
  startJobs,
  type DeskConfig,
  type DeskEvent,
  type DeskLogger,
} from '../engine/index.ts';
import { assertSafeBind, createHttpServer, createRpcHandler } from '../rpc/index.ts';
import { createMcpHttp } from '../mcp/index.ts';
import { createBot } from '../bot/index.ts';
import { composeDesk } from './compose.ts';

const SHUTDOWN_DEADLINE_MS = 5_000;

function readConfig(): DeskConfig {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, allowPositionals: false, strict: true });
  return loadConfig(process.env, values.config);
}

function consoleAlert(e: DeskEvent): string | null {
  switch (e.type) {
    case 'signal.created': {
      const s = e.signal;
      return `SIGNAL ${s.id} ${s.symbol} ${s.interval} ${s.side.toUpperCase()} ${s.strategy} score ${s.score.toFixed(2)} entry ${s.entry} stop ${s.stop} targets ${s.targets.join('/')}`;
    }
    case 'order.filled':
      return `FILL ${e.symbol} ${e.side} ${e.qty} @ ${e.price}${e.reduceOnly ? ' (reduce)' : ''}`;
    case 'position.closed':
      return `CLOSED ${e.position.symbol} ${e.reason} pnl ${(e.position.realizedPnl - e.position.fees).toFixed(2)} USDT`;
    case 'risk.tripped':
      return `RISK ${e.what}: ${e.reason}`;
    default:
      return null;
  }
}

async function main(): Promise<void> {
  let config: DeskConfig;
  try {
    config = readConfig();
    assertSafeBind(config);
  } catch (e) {
    process.stderr.write(`${e instanceof DeskError || e instanceof TypeError ? e.message : 'config: unreadable arguments'}\n`);
    process.exit(2);
  }
  const logger: DeskLogger = createLogger({ level: config.DESK_LOG_LEVEL, pretty: process.stdout.isTTY === true });
  // Signal handlers go in before anything starts, so a signal during start-up also shuts down cleanly:
  // each resource registers its cleanup as it comes up, and shutdown runs them newest first.
  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      process.stderr.write('shutdown deadline passed; exiting\n');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    force.unref();
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch {
        logger.error({ step: c.name }, 'shutdown step failed');
      }
    }
    clearTimeout(force);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Not under `config`: that key is a redaction path (vendor error objects carry request config there).
  logger.info({ settings: redactedConfig(config) }, 'starting signal desk');
  const rt = await composeDesk(config, { logger });
  cleanups.push({ name: 'desk', run: () => rt.close() });
  const { desk, metrics } = rt;

  const http = createHttpServer({
    host: config.DESK_HOST,
    port: config.DESK_PORT,
    logger,
    metrics,
    health: async () => {
      const st = await desk.status(SYSTEM_ACTOR);
      metrics.feedLagSeconds.set((st.feedLagMs ?? 0) / 1000);
      return { ok: true, mode: st.mode, feed: st.feed, lagMs: st.feedLagMs, uptimeMs: st.uptimeMs, lastBarAt: st.lastBarAt, openPositions: st.openPositions };
    },
  });
  const rpc = createRpcHandler({ desk, config, logger, metrics });
  http.addRoute(rpc.route);
  http.addUpgrade('/rpc', rpc.upgrade);
  const mcp = createMcpHttp({ desk, config, logger, metrics });
  http.addRoute(mcp.route);

  const bot = config.TELEGRAM_BOT_TOKEN ? createBot(desk, config, { logger }) : null;
  if (bot?.webhookHandler) http.addRoute({ method: 'POST', path: '/telegram/webhook', handle: bot.webhookHandler });
  if (!bot) {
    desk.subscribe((e) => {
      const line = consoleAlert(e);
      if (line) process.stdout.write(`${line}\n`);
    });
  }

  cleanups.push({ name: 'http', run: () => http.close() });
  cleanups.push({ name: 'mcp', run: () => mcp.close() });
  cleanups.push({ name: 'rpc', run: () => rpc.close() });
  const addr = await http.listen();
  await desk.start();
  if (config.DESK_MODE === 'live') desk.scheduleReconcile(5 * 60_000);
  const jobs = startJobs({ desk, db: rt.db, config, logger, clock: rt.clock });
  cleanups.push({ name: 'jobs', run: () => jobs.stop() });
  if (bot) {
    cleanups.push({ name: 'bot', run: () => bot.stop() });
    try {
      await bot.start();
    } catch {
      logger.error('telegram bot could not start; the desk keeps running without it');
    }
  }
  logger.info({ url: `http://${addr.host}:${addr.port}`, mode: config.DESK_MODE, feed: config.DESK_FEED }, 'desk ready');
  process.stdout.write(`signal desk ready on http://${addr.host}:${addr.port} (mode ${config.DESK_MODE}, feed ${config.DESK_FEED})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof DeskError ? e.message : 'desk failed to start'}\n`);
  process.exit(1);
});
