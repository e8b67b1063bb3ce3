// `npm run backtest -- [--symbols BTCUSDT,ETHUSDT] [--interval 60,240] [--strategy bb-grid-long,...]
//   [--from 2025-10-01] [--to 2026-01-01] [--data dir] [--funding dir] [--json] [--chart equity.svg]`
// Walk-forward replay of real klines through the desk's own scanner, risk gate and paper broker
// (engine/backtest); prints per-symbol and per-strategy tables (or JSON) and can write an SVG equity chart.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { DeskError, IntervalSchema, loadConfig, type Interval } from '../engine/index.ts';
import { equitySvg, renderReport, runBacktest } from '../engine/backtest/index.ts';

const USAGE = 'usage: npm run backtest -- [--symbols A,B] [--interval 60,240] [--strategy name,...] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--data dir] [--funding dir] [--warmup N] [--json] [--chart file.svg]';

function list(v: string | undefined): string[] | undefined {
  const xs = v?.split(',').map((s) => s.trim()).filter(Boolean);
  return xs && xs.length > 0 ? xs : undefined;
}

function time(v: string | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  if (!Number.isFinite(t)) throw new DeskError('VALIDATION', { field, reason: 'expected YYYY-MM-DD, an ISO time or epoch ms' }, `--${field}: expected YYYY-MM-DD, an ISO time or epoch ms`);
  return t;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      symbols: { type: 'string' },
      symbol: { type: 'string' },
      interval: { type: 'string' },
      strategy: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      data: { type: 'string' },
      funding: { type: 'string' },
      instruments: { type: 'string' },
      warmup: { type: 'string' },
      json: { type: 'boolean', default: false },
      chart: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig({ ...process.env, DESK_DB: ':memory:', DESK_LOG_LEVEL: 'silent' }, values.config);
  const intervals = list(values.interval)?.map((iv) => {
    const r = IntervalSchema.safeParse(iv);
    if (!r.success) throw new DeskError('VALIDATION', { field: 'interval' }, `--interval: ${iv} is not one of 5, 15, 60, 240, D`);
    return r.data as Interval;
  });
  const warmup = values.warmup === undefined ? undefined : Number(values.warmup);
  if (warmup !== undefined && !(Number.isInteger(warmup) && warmup >= 0)) throw new DeskError('VALIDATION', { field: 'warmup' }, '--warmup: expected an integer ≥ 0');
  const bar = process.stderr.isTTY && !values.json ? new cliProgress.SingleBar({ format: 'backtest [{bar}] {percentage}% | {value}/{total} bars | eta {eta}s', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  const outcome = await runBacktest({
    config,
    symbols: list(values.symbols ?? values.symbol)?.map((s) => s.toUpperCase()),
    intervals,
    strategies: list(values.strategy),
    from: time(values.from, 'from'),
    to: time(values.to, 'to'),
    dataDir: values.data,
    fundingDir: values.funding,
    instrumentsFile: values.instruments,
    warmupBars: warmup,
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
  });
  bar?.stop();
  if (values.chart) {
    const title = `Equity — ${outcome.runs.map((r) => `${r.interval}: ${r.symbols.join(',')}`).join(' | ')}`;
    writeFileSync(values.chart, equitySvg(outcome.runs.map((r) => ({ label: `interval ${r.interval}`, curve: r.equity })), title));
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...outcome.report, missing: outcome.missing }, null, 2)}\n`);
  } else {
    if (outcome.missing.length > 0) process.stdout.write(`skipped (no data): ${outcome.missing.join(', ')}\n`);
    process.stdout.write(renderReport(outcome.report));
    if (values.chart) process.stdout.write(`equity chart: ${values.chart}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof DeskError ? e.message : e instanceof TypeError ? e.message : 'backtest failed'}\n${USAGE}\n`);
  process.exit(1);
});
