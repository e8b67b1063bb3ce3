import { afterEach, describe, expect, it } from 'vitest';
import { spawnDesk, type SpawnedDesk } from '../helpers/spawn-desk.ts';

let d: SpawnedDesk | undefined;
afterEach(async () => {
  await d?.stop('SIGKILL');
  d = undefined;
});

describe('npm start (the desk process)', () => {
  it('serves /healthz and /metrics, prints alerts on the console, and exits cleanly on SIGTERM within 5 s', async () => {
    d = await spawnDesk({ DESK_REPLAY_SPEED: '360000' });
    const health = (await (await fetch(`${d.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, mode: 'paper', feed: 'replay' });
    expect(typeof health.uptimeMs).toBe('number');
    expect('lagMs' in health).toBe(true);
    // let the real replay run until the console shows a signal
    for (let i = 0; i < 100 && !d.stdout().includes('SIGNAL '); i++) await new Promise((r) => setTimeout(r, 100));
    expect(d.stdout()).toMatch(/SIGNAL s[0-9a-f]{9} [A-Z]+USDT (60|240) (LONG|SHORT) /);
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(metrics).toMatch(/desk_bars_total\{interval="60"\} \d+/);
    expect(metrics).toMatch(/desk_signals_total/);
    const { code, ms } = await d.stop('SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5000);
  }, 90_000);

  it('SIGINT also stops it cleanly; the start log line shows the effective settings with secrets as [set]', async () => {
    const secret = 'start-log-secret-0123456789';
    d = await spawnDesk({ DESK_LOG_LEVEL: 'info', DESK_TOKENS: `ops:admin:${secret}` });
    const { code } = await d.stop('SIGINT');
    expect(code).toBe(0);
    const line = d.stdout().split('\n').find((l) => l.includes('starting signal desk'));
    expect(line).toBeDefined();
    const settings = (JSON.parse(line!) as { settings: Record<string, unknown> }).settings;
    expect(settings).toMatchObject({ DESK_MODE: 'paper', DESK_FEED: 'replay', DESK_TOKENS: '[set]', BYBIT_API_SECRET: '' });
    expect(d.stdout() + d.stderr()).not.toContain(secret);
  }, 90_000);
});
