import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Instrument } from './types.ts';
import { DeskError } from '../errors.ts';

const positive = z.number().finite().positive();

const InstrumentFileSchema = z.object({
  instruments: z.array(
    z.object({
      symbol: z.string().regex(/^[A-Z0-9]{2,24}$/),
      tickSize: positive,
      qtyStep: positive,
      minQty: positive,
      minNotional: z.number().finite().min(0),
      maxLeverage: z.number().finite().min(1),
      status: z.enum(['Trading', 'PreLaunch', 'Settling', 'Closed']),
      source: z.string().optional(),
    }),
  ),
});

/**
 * Where instruments.json is for `path`: the path itself when it is a file, else `<path>/instruments.json`
 * when that exists, else `<parent of path>/instruments.json` (so both `data` and `data/klines` work); never
 * throws (the last candidate may not exist).
 */
export function instrumentsFileFor(path: string): string {
  try {
    if (statSync(path).isFile()) return path;
  } catch {
    // fall through: not a file we can stat
  }
  const inside = join(path, 'instruments.json');
  try {
    if (statSync(inside).isFile()) return inside;
  } catch {
    // fall through
  }
  return join(dirname(path), 'instruments.json');
}

/**
 * Reads the bundled instrument rules (data/instruments.json) for the replay feed and the paper broker;
 * `dataDir` may be the file, the data folder or the klines folder (see instrumentsFileFor). Throws
 * DeskError CONFIG {file, reason} when the file is missing, not JSON or not the expected shape.
 */
export function replayInstruments(dataDir: string): Instrument[] {
  const file = instrumentsFileFor(dataDir);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new DeskError('CONFIG', { file, reason: 'missing or not JSON' }, `${file}: expected a readable instruments JSON file`);
  }
  const r = InstrumentFileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const reason = `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`;
    throw new DeskError('CONFIG', { file, reason }, `${file}: ${reason}`);
  }
  return r.data.instruments.map((i) => ({
    symbol: i.symbol,
    tickSize: i.tickSize,
    qtyStep: i.qtyStep,
    minQty: i.minQty,
    minNotional: i.minNotional,
    maxLeverage: i.maxLeverage,
    status: i.status,
  }));
}
