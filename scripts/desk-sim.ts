// `npm run desk:sim`: the live path with no keys. Starts the loopback Bybit V5 fake (real klines,
// signed REST, WS streams, a matching engine) and the desk in LIVE mode on the Bybit feed against it,
// then moves the fake's market one bar every DESK_SIM_BAR_MS (default 1000 ms). Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startBybitV5Fake } from '../test/fakes/bybit-v5/index.ts';

const root = join(import.meta.dirname, '..');
const barMs = Number(process.env.DESK_SIM_BAR_MS ?? 1000);
if (!(barMs >= 10)) {
  process.stderr.write('config: DESK_SIM_BAR_MS: expected a number of milliseconds ≥ 10\n');
  process.exit(2);
}
const apiKey = `sim-${randomBytes(6).toString('hex')}`;
const apiSecret = randomBytes(24).toString('hex');
const universe = process.env.DESK_UNIVERSE ?? 'BTCUSDT,ETHUSDT,SOLUSDT,BNBUSDT,WIFUSDT';
const fake = await startBybitV5Fake({ apiKey, apiSecret, symbols: universe.split(',').map((s) => s.trim()) });
process.stdout.write(`bybit v5 fake on ${fake.restUrl} (public ${fake.wsPublicUrl}, private ${fake.wsPrivateUrl})\n`);

const desk = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/start.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    DESK_MODE: 'live',
    DESK_FEED: 'bybit',
    DESK_UNIVERSE: universe,
    DESK_DB: process.env.DESK_DB ?? 'var/desk-sim.db',
    BYBIT_ENV: 'testnet',
    BYBIT_API_KEY: apiKey,
    BYBIT_API_SECRET: apiSecret,
    BYBIT_REST_URL: fake.restUrl,
    BYBIT_WS_PUBLIC_URL: fake.wsPublicUrl,
    BYBIT_WS_PRIVATE_URL: fake.wsPrivateUrl,
  },
});
const symbols = universe.split(',').map((s) => s.trim());
const timer = setInterval(() => fake.advance(1, symbols), barMs);
let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  desk.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
desk.on('exit', (code) => {
  clearInterval(timer);
  void fake.close().then(() => process.exit(code ?? 1));
});
