import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, TRADER, VIEWER, createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

describe('commands in English', () => {
  it('/start registers and offers languages', async () => {
    const n = h.calls.length;
    await h.send(VIEWER, '/start');
    const [text] = h.texts(VIEWER, n);
    expect(text).toContain('Welcome to Signal Desk');
    expect(text).toContain('viewer');
    expect(h.button(VIEWER, /Русский/)).toMatch(/^l:/);
  });

  it('/help lists only what the role may run', async () => {
    let n = h.calls.length;
    await h.send(VIEWER, '/help');
    const viewerHelp = h.texts(VIEWER, n).join('\n');
    expect(viewerHelp).toContain('/scan [symbol]');
    expect(viewerHelp).not.toContain('/kill');
    n = h.calls.length;
    await h.send(ADMIN, '/help');
    const adminHelp = h.texts(ADMIN, n).join('\n');
    expect(adminHelp).toContain('/kill [reason]');
    expect(adminHelp).toContain('/close <symbol|id>');
  });

  it('/status shows the desk', async () => {
    const n = h.calls.length;
    await h.send(VIEWER, '/status');
    const [text] = h.texts(VIEWER, n);
    expect(text).toMatch(/Desk: paper · feed replay/);
    expect(text).toContain('BTCUSDT');
  });
});
