import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, isDeskError, loadConfig, redactedConfig } from '../../engine/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const root = join(import.meta.dirname, '../..');

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (isDeskError(e, 'CONFIG')) return e.message;
    throw e;
  }
  return 'ok';
}

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.DESK_HOST).toBe('127.0.0.1');
    expect(c.DESK_PORT).toBe(8766);
    expect(c.DESK_MODE).toBe('paper');
    expect(c.DESK_FEED).toBe('replay');
    expect(c.DESK_SCORE_THRESHOLD).toBe(5.5);
    expect(c.RISK_PER_TRADE_PCT).toBe(1);
    expect(c.RISK_MAX_MARGIN_PCT).toBe(15);
    expect(c.RISK_MAX_LEVERAGE).toBe(3);
    expect(c.RISK_DAILY_LOSS_PCT).toBe(5);
    expect(c.LIMIT_SCANS_PER_DAY).toBe(10);
    expect(c.LIMIT_EXECUTES_PER_HOUR).toBe(20);
  });

  it('a bad value gives one line naming the key and what is expected', () => {
    expect(configError({ DESK_PORT: 'eighty' })).toMatch(/^config: DESK_PORT: .+/);
    expect(configError({ DESK_MODE: 'yolo' })).toMatch(/^config: DESK_MODE: .*paper.*live/);
    expect(configError({ DESK_UNIVERSE: 'BTCUSDT,doge' })).toMatch(/^config: DESK_UNIVERSE: /);
    expect(configError({ DESK_INTERVALS: '7' })).toMatch(/^config: DESK_INTERVALS: /);
    expect(configError({ RISK_MAX_LEVERAGE: '0' })).toMatch(/^config: RISK_MAX_LEVERAGE: /);
    for (const msg of [configError({ DESK_PORT: 'x' }), configError({ DESK_MODE: 'x' })]) expect(msg.split('\n')).toHaveLength(1);
  });

  it('a bad secret is named but never echoed', () => {
    const secret = 'sup3r-s3cret-value-that-is-long';
    const msg = configError({ DESK_TOKENS: `ops:god:${secret}` });
    expect(msg).toMatch(/^config: DESK_TOKENS: /);
    expect(msg).not.toContain(secret);
    const short = configError({ DESK_TOKENS: 'ops:admin:short' });
    expect(short).not.toContain('short');
  });

  it('refuses one secret listed for two tokens (the caller would be ambiguous), without echoing it', () => {
    const secret = 'shared-secret-0123456789';
    const msg = configError({ DESK_TOKENS: `ops:admin:${secret},bot:viewer:${secret}` });
    expect(msg).toBe('config: DESK_TOKENS: entry 2 repeats the secret of an earlier entry (each secret must be unique)');
    // The same name with two secrets (a key rotation) stays allowed.
    const rotated = loadConfig({ DESK_TOKENS: 'ops:admin:old-secret-0123456789,ops:admin:new-secret-0123456789' });
    expect(rotated.DESK_TOKENS.map((t) => t.name)).toEqual(['ops', 'ops']);
  });

  it('redactedConfig hides every secret', () => {
    const c = loadConfig({ DESK_TOKENS: 'ops:admin:0123456789abcdef0123', BYBIT_API_KEY: 'KEY123', BYBIT_API_SECRET: 'SECRET456' });
    const text = JSON.stringify(redactedConfig(c));
    for (const s of ['0123456789abcdef0123', 'KEY123', 'SECRET456']) expect(text).not.toContain(s);
    expect(Object.keys(CONFIG_KEYS).length).toBeGreaterThan(30);
  });

  it('reads an optional JSON file given by --config; env wins; unknown keys are refused', () => {
    const dir = tempDir('desk-cfg-');
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ DESK_PORT: 9001, RISK_MAX_LEVERAGE: 2 }));
    expect(loadConfig({}, f).DESK_PORT).toBe(9001);
    expect(loadConfig({ DESK_PORT: '9002' }, f).DESK_PORT).toBe(9002);
    writeFileSync(f, JSON.stringify({ NOPE: 1 }));
    expect(() => loadConfig({}, f)).toThrow(/NOPE: unknown key/);
  });

  it('npm start with a bad value exits 2 with one line on stderr and no secret', () => {
    const secret = 'tg-token-should-never-print-0123456789';
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/start.ts')], {
      cwd: root,
      env: { ...process.env, DESK_PORT: 'not-a-port', TELEGRAM_BOT_TOKEN: secret, DESK_DB: ':memory:' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config: DESK_PORT: /);
    expect(r.stderr + r.stdout).not.toContain(secret);
  });

  it('refuses a non-loopback bind without tokens', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/start.ts')], {
      cwd: root,
      env: { ...process.env, DESK_HOST: '0.0.0.0', DESK_TOKENS: '', DESK_DB: ':memory:' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DESK_HOST|DESK_TOKENS/);
  });
});
