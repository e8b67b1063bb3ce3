import { afterEach, describe, expect, it } from 'vitest';
import { spawnDesk, type SpawnedDesk } from '../helpers/spawn-desk.ts';

let d: SpawnedDesk | undefined;
afterEach(async () => {
  await d?.stop('SIGKILL');
  d = undefined;
});

const TOKEN = 'sim-trader-secret-0123456789';

async function rpc(url: string, method: string, params: unknown = {}): Promise<{ result?: any; error?: any }> {
  const r = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await r.json()) as { result?: any; error?: any };
}

describe('npm run desk:sim (live mode against the loopback Bybit V5 fake)', () => {
  it('reports mode live on /healthz and executes a signal on the fake exchange with its stop attached', async () => {
    d = await spawnDesk({ DESK_SIM_BAR_MS: '600', DESK_TOKENS: `sim:trader:${TOKEN}`, LIMIT_SCANS_PER_DAY: '1000' }, 90_000, 'scripts/desk-sim.ts');
    const health = (await (await fetch(`${d.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, mode: 'live', feed: 'bybit' });
    // Execute the first live signal the venue accepts (the market keeps moving: a signal whose stop the
    // price has already crossed is refused by the exchange, which is the venue doing its job).
    let res: { result?: any; error?: any } = {};
    let signal: any = null;
    const tried = new Set<string>();
    for (let i = 0; i < 240 && !res.result; i++) {
      const list = await rpc(d.url, 'signals.list', { status: 'live', limit: 50 });
      signal = (list.result?.signals ?? []).find((s: any) => s.stage === 'live' && !tried.has(s.id)) ?? null;
      if (!signal) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      tried.add(signal.id);
      res = await rpc(d.url, 'trade.execute', { signalId: signal.id });
      if (res.error) expect(['EXCHANGE_REJECTED', 'STALE_QUOTE', 'SIGNAL_EXPIRED', 'POSITION_EXISTS']).toContain(res.error.data?.code);
    }
    expect(res.result, JSON.stringify(res.error)).toBeDefined();
    expect(res.result.orderLinkId).toMatch(/^sd-[0-9a-f]{24}$/);
    expect(res.result.stop).toBe(signal.stop);
    let positions: any[] = [];
    for (let i = 0; i < 40 && positions.length === 0; i++) {
      positions = (await rpc(d.url, 'positions.list', { status: 'open' })).result?.positions ?? [];
      if (positions.length === 0) await new Promise((r) => setTimeout(r, 150));
    }
    expect(positions[0]).toMatchObject({ symbol: signal.symbol, side: signal.side, mode: 'live' });
    const { code } = await d.stop('SIGTERM');
    expect(code).toBe(0);
  }, 120_000);
});
