// `npm run scan [-- --json] [-- --symbol BTCUSDT] [-- --interval 60]`: replays the bundled real klines
// through the desk's scanner (in memory, nothing persisted) and prints the signals live at the end.
import { parseArgs } from 'node:util';
import { DeskError, SYSTEM_ACTOR, loadConfig, silentLogger, type ReplayFeed, type Signal } from '../engine/index.ts';
import { composeDesk } from './compose.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'boolean', default: false }, symbol: { type: 'string' }, interval: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  const config = loadConfig({ ...process.env, DESK_DB: ':memory:', DESK_FEED: 'replay', DESK_MODE: 'paper', LIMIT_SCANS_PER_DAY: '1000' }, values.config);
  const rt = await composeDesk(config, { logger: silentLogger, autoplay: false });
  try {
    await rt.desk.start();
    await (rt.feed as ReplayFeed).drain();
    const scan = await rt.desk.runScan(SYSTEM_ACTOR, { symbol: values.symbol, interval: values.interval as Signal['interval'] | undefined });
    const live = await rt.desk.listSignals(SYSTEM_ACTOR, { status: 'live', symbol: values.symbol, limit: 200 });
    const byId = new Map<string, Signal>();
    for (const s of [...scan.signals, ...live.signals]) if (!values.interval || s.interval === values.interval) byId.set(s.id, s);
    const signals = [...byId.values()].sort((a, b) => b.score - a.score);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(signals, null, 2)}\n`);
    } else {
      process.stdout.write(`${signals.length} live signal(s) at the end of the bundled data\n`);
      for (const s of signals) {
        const best = [...s.scoreParts].sort((a, b) => b.score - a.score).slice(0, 3).map((p) => `${p.name} ${p.score.toFixed(1)}`).join(', ');
        process.stdout.write(`${s.id}  ${s.symbol.padEnd(9)} ${s.interval.padEnd(3)} ${s.side.padEnd(5)} ${s.strategy.padEnd(22)} ${s.score.toFixed(2)}  entry ${s.entry} stop ${s.stop} targets ${s.targets.join(' / ')}  [${best}]\n`);
      }
    }
  } finally {
    await rt.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof DeskError ? e.message : e instanceof TypeError ? e.message : 'scan failed'}\n`);
  process.exit(1);
});
