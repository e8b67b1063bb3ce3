// Telegram benchmark: 1,000 callback queries (Execute presses) from 100 users, through @grammyjs/runner
// long polling against the loopback Bot API fake, over a real desk (in-memory SQLite, replay of the
// bundled real klines, paper broker), paced at 500 presses/s after two warm-up waves. Measures update delivery → answerCallbackQuery latency (p50/p99,
// reference p99 ≤ 50 ms) and the worst event-loop stall (monitorEventLoopDelay, reference ≤ 20 ms).
// Run: `npx tsx scripts/bench/telegram.ts` → JSON lines.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createBot } from '../../bot/index.ts';
import { createTestDesk } from '../../test/helpers/test-desk.ts';
import { startFakeBotApi } from '../../test/fakes/telegram-bot-api/server.ts';

/** One benchmark result: `ratio` = value / reference (null when there is no reference). */
export interface BenchLine {
  name: string;
  value: number;
  unit: string;
  reference: number | null;
  ratio: number | null;
}

const USERS = 100;
const PRESSES_PER_USER = 10;
const P99_TARGET_MS = 50;
const STALL_TARGET_MS = 20;
const TOKEN = '111222:bench-loopback-token';
const PRESS_RATE_PER_S = 500;
const WARMUP_WAVES = 2;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const round = (x: number): number => Math.round(x * 1000) / 1000;
const line = (name: string, value: number, unit: string, reference: number | null): BenchLine => ({
  name,
  value: round(value),
  unit,
  reference,
  ratio: reference === null ? null : round(value / reference),
});

async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs the benchmark; rejects when the desk, the fake or the bot cannot start. */
export async function benchTelegram(): Promise<BenchLine[]> {
  const fake = await startFakeBotApi({ token: TOKEN });
  const users = Array.from({ length: USERS }, (_, i) => 800_000 + i);
  const td = await createTestDesk({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: fake.url, TELEGRAM_TRADER_IDS: users.join(',') });
  const bot = createBot(td.desk, td.config, { clock: td.clock, pollTimeoutS: 1, floodGuard: false });
  try {
    await bot.start();
    for (const u of users) await td.desk.getSettings({ kind: 'telegram', id: String(u), role: 'trader' });
    await td.nextSignal();
    const alertOf = (u: number) => fake.lastMessage(u, /^🔔/);
    await waitFor(() => users.every((u) => alertOf(u)?.replyMarkup), 30_000, 'alerts');

    const answeredAt = new Map<string, number>();
    let scanned = 0;
    const collectAnswers = (): void => {
      for (; scanned < fake.calls.length; scanned++) {
        const c = fake.calls[scanned];
        if (c.method === 'answerCallbackQuery') answeredAt.set(String(c.payload.callback_query_id), c.at);
      }
    };
    const sent: string[] = [];
    const loop = monitorEventLoopDelay({ resolution: 1 });
    for (let wave = -WARMUP_WAVES; wave < PRESSES_PER_USER; wave++) {
      if (wave === 0) {
        sent.length = 0;
        loop.enable();
      }
      const batch: string[] = [];
      for (const u of users) {
        const alert = alertOf(u)!;
        const data = alert.replyMarkup!.inline_keyboard.flat().find((b) => b.text === 'Execute')!.callback_data!;
        batch.push(fake.pushCallback(u, data, alert.messageId));
        // Presses arrive at PRESS_RATE_PER_S, as users tap, not as one synthetic burst.
        await new Promise((r) => setTimeout(r, 1000 / PRESS_RATE_PER_S));
      }
      sent.push(...batch);
      await waitFor(() => (collectAnswers(), batch.every((id) => answeredAt.has(id))), 30_000, `wave ${wave}`);
    }
    loop.disable();
    const latencies: number[] = [];
    for (const id of sent) {
      const delivered = fake.deliveredAt(fake.callbackUpdateId(id) ?? -1);
      const answered = answeredAt.get(id);
      if (delivered !== undefined && answered !== undefined) latencies.push(answered - delivered);
    }
    latencies.sort((a, b) => a - b);
    const maxStallMs = loop.max / 1e6;
    const p99DelayMs = loop.percentile(99) / 1e6;
    return [
      line('telegram.callback.answer.p50', pct(latencies, 50), 'ms', null),
      line('telegram.callback.answer.p99', pct(latencies, 99), 'ms', P99_TARGET_MS),
      line('telegram.callback.count', latencies.length, 'callbacks', null),
      line('telegram.eventloop.max_stall', maxStallMs, 'ms', STALL_TARGET_MS),
      line('telegram.eventloop.delay.p99', p99DelayMs, 'ms', null),
    ];
  } finally {
    await bot.stop();
    await td.close();
    await fake.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchTelegram()
    .then((lines) => {
      for (const l of lines) process.stdout.write(`${JSON.stringify(l)}\n`);
      process.exit(0);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${(e as Error)?.message ?? e}\n`);
      process.exit(1);
    });
}
