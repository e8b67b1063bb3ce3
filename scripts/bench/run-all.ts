// `npm run bench [-- --only name,name]`: runs every benchmark in this process, one after another,
// and prints JSON lines {name, value, unit, reference, ratio}. Ratios are measured in one run
// against a reference in the same run; nothing here is a pass/fail test.
import { parseArgs } from 'node:util';
import type { BenchLine } from './bench-line.ts';

const BENCHES: { name: string; file: string; fn: string }[] = [
  { name: 'indicators', file: './indicators.ts', fn: 'benchIndicators' },
  { name: 'scan', file: './scan.ts', fn: 'benchScan' },
  { name: 'rate-limit', file: './rate-limit.ts', fn: 'benchRateLimit' },
  { name: 'memory', file: './memory.ts', fn: 'benchMemory' },
  { name: 'bybit', file: './bybit.ts', fn: 'benchBybit' },
  { name: 'rpc', file: './rpc.ts', fn: 'benchRpc' },
  { name: 'mcp', file: './mcp.ts', fn: 'benchMcp' },
  { name: 'telegram', file: './telegram.ts', fn: 'benchTelegram' },
  { name: 'backtest', file: './backtest.ts', fn: 'benchBacktest' },
];

const { values } = parseArgs({ options: { only: { type: 'string' } }, strict: true });
const only = values.only ? new Set(values.only.split(',')) : null;
let failed = 0;
for (const b of BENCHES) {
  if (only && !only.has(b.name)) continue;
  try {
    const mod = (await import(b.file)) as Record<string, () => Promise<BenchLine[]>>;
    const run = mod[b.fn];
    if (!run) throw new Error(`${b.file} does not export ${b.fn}`);
    for (const line of await run()) process.stdout.write(`${JSON.stringify({ bench: b.name, ...line })}\n`);
  } catch (e) {
    failed++;
    process.stderr.write(`bench ${b.name} failed: ${e instanceof Error ? e.message : 'error'}\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
