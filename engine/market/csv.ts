import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Interval } from '../schemas.ts';
import { IntervalSchema } from '../schemas.ts';
import { DeskError } from '../errors.ts';
import type { OhlcvColumns } from './types.ts';

/** Header every kline CSV must start with. */
export const KLINE_HEADER = 'start_ms,open,high,low,close,volume';
/** Header every funding CSV must start with. */
export const FUNDING_HEADER = 'funding_time_ms,funding_rate';

const KLINE_COLUMNS = ['start_ms', 'open', 'high', 'low', 'close', 'volume'] as const;
const FUNDING_COLUMNS = ['funding_time_ms', 'funding_rate'] as const;

/** Kline columns of one series, oldest first; every array has exactly `length` elements. */
export interface KlineColumns extends OhlcvColumns {
  length: number;
}

/** A validated kline file: its columns plus the symbol and interval taken from the file name. */
export interface KlineFile extends KlineColumns {
  symbol: string;
  interval: Interval;
  file: string;
}

/** A validated funding file: settlement times and rates, oldest first. */
export interface FundingFile {
  symbol: string;
  file: string;
  time: Float64Array;
  rate: Float64Array;
  length: number;
}

/** Builds the VALIDATION error every refused file gets: detail {file, line, reason}; never throws itself. */
export function csvError(file: string, line: number, reason: string): DeskError {
  return new DeskError('VALIDATION', { file, line, reason }, `${file}:${line}: ${reason}`);
}

/**
 * Why a bar is not a sane closed candle (non-finite value, price ≤ 0, high < low, high/low not
 * bracketing open/close, negative volume), or null when it is fine; never throws.
 */
export function barProblem(start: number, open: number, high: number, low: number, close: number, volume: number): string | null {
  if (!Number.isSafeInteger(start) || start < 0) return 'start_ms must be a non-negative integer';
  if (!Number.isFinite(open) || !Number.isFinite(high) || !Number.isFinite(low) || !Number.isFinite(close)) return 'price is not finite';
  if (!Number.isFinite(volume)) return 'volume is not finite';
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return 'prices must be > 0';
  if (high < low) return 'high < low';
  if (high < open || high < close || low > open || low > close) return 'high/low do not bracket open/close';
  if (volume < 0) return 'volume must be >= 0';
  return null;
}

// A field is a plain decimal: optional sign, digits, optional fraction, optional exponent. Checked by
// a char-code scan (no regex per row); Number() then does the conversion.
function plainNumber(s: string, from: number, to: number): number {
  if (to <= from) return NaN;
  let i = from;
  let c = s.charCodeAt(i);
  if (c === 45 || c === 43) {
    i++;
    if (i === to) return NaN;
  }
  let digits = 0;
  let dot = false;
  for (; i < to; i++) {
    c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true;
    else break;
  }
  if (digits === 0) return NaN;
  if (i < to) {
    if (c !== 101 && c !== 69) return NaN; // e / E
    i++;
    c = s.charCodeAt(i);
    if (c === 45 || c === 43) i++;
    let expDigits = 0;
    for (; i < to; i++) {
      c = s.charCodeAt(i);
      if (c < 48 || c > 57) return NaN;
      expDigits++;
    }
    if (expDigits === 0) return NaN;
  }
  return Number(s.slice(from, to));
}

/** Splits `<SYMBOL>-<interval>.csv`; throws DeskError VALIDATION (line 0) on any other name. */
export function klineFileName(file: string): { symbol: string; interval: Interval } {
  const name = basename(file);
  const m = /^([A-Z0-9]{2,24})-([0-9]+|D)\.csv$/.exec(name);
  const iv = m ? IntervalSchema.safeParse(m[2]) : null;
  if (!m || !iv || !iv.success) throw csvError(file, 0, 'file name must be <SYMBOL>-<interval>.csv with interval 5, 15, 60, 240 or D');
  return { symbol: m[1] as string, interval: iv.data };
}

/** Splits `<SYMBOL>.csv`; throws DeskError VALIDATION (line 0) on any other name. */
export function fundingFileName(file: string): { symbol: string } {
  const m = /^([A-Z0-9]{2,24})\.csv$/.exec(basename(file));
  if (!m) throw csvError(file, 0, 'file name must be <SYMBOL>.csv');
  return { symbol: m[1] as string };
}

/**
 * Walks the data rows of `text` after checking the header, calling `row(values, line)` with the
 * parsed numbers of each row (a reused array). Throws DeskError VALIDATION {file, line, reason} on a
 * bad header, a wrong column count or a field that is not a finite plain number.
 */
function scanRows(
  text: string,
  file: string,
  header: string,
  names: readonly string[],
  row: (values: Float64Array, line: number) => void,
): void {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let eol = text.indexOf('\n', pos);
  if (eol < 0) eol = n;
  let end = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
  if (text.slice(pos, end).trim() !== header) throw csvError(file, 1, `bad header: expected "${header}"`);
  const cols = names.length;
  const values = new Float64Array(cols);
  let line = 1;
  pos = eol + 1;
  while (pos < n) {
    line++;
    eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    end = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (end === pos && eol >= n - 1) break; // one blank line at the very end of the file
    let commas = 0;
    for (let i = pos; i < end; i++) if (text.charCodeAt(i) === 44) commas++;
    if (end === pos || commas !== cols - 1) {
      throw csvError(file, line, `expected ${cols} columns, got ${end === pos ? 0 : commas + 1}`);
    }
    let from = pos;
    for (let k = 0; k < cols; k++) {
      const to = k === cols - 1 ? end : text.indexOf(',', from);
      const v = plainNumber(text, from, to);
      if (!Number.isFinite(v)) {
        throw csvError(file, line, `${names[k]} is not a finite number: "${text.slice(from, Math.min(to, from + 32))}"`);
      }
      values[k] = v;
      from = to + 1;
    }
    row(values, line);
    pos = eol + 1;
  }
}

function countLines(text: string): number {
  let lines = 0;
  let i = -1;
  while ((i = text.indexOf('\n', i + 1)) >= 0) lines++;
  return lines + 1;
}

/**
 * Parses and validates a kline CSV (`start_ms,open,high,low,close,volume`) named
 * `<SYMBOL>-<interval>.csv`. Throws DeskError VALIDATION {file, line, reason} on a bad name or
 * header, a malformed row, a non-finite value, a price ≤ 0, high < low, high/low not bracketing
 * open/close, negative volume, or a start_ms that is not strictly increasing; nothing is returned
 * from a refused file.
 */
export function parseKlineCsv(text: string, file: string): KlineFile {
  const { symbol, interval } = klineFileName(file);
  const cap = countLines(text);
  const start = new Float64Array(cap);
  const open = new Float64Array(cap);
  const high = new Float64Array(cap);
  const low = new Float64Array(cap);
  const close = new Float64Array(cap);
  const volume = new Float64Array(cap);
  let len = 0;
  let prev = -Infinity;
  scanRows(text, file, KLINE_HEADER, KLINE_COLUMNS, (v, line) => {
    const t = v[0] as number;
    const problem = barProblem(t, v[1] as number, v[2] as number, v[3] as number, v[4] as number, v[5] as number);
    if (problem) throw csvError(file, line, problem);
    if (t === prev) throw csvError(file, line, `duplicate start_ms ${t}`);
    if (t < prev) throw csvError(file, line, `start_ms ${t} is before the previous row (${prev})`);
    prev = t;
    start[len] = t;
    open[len] = v[1] as number;
    high[len] = v[2] as number;
    low[len] = v[3] as number;
    close[len] = v[4] as number;
    volume[len] = v[5] as number;
    len++;
  });
  const fit = (a: Float64Array) => (len === cap ? a : a.slice(0, len));
  return {
    symbol,
    interval,
    file,
    start: fit(start),
    open: fit(open),
    high: fit(high),
    low: fit(low),
    close: fit(close),
    volume: fit(volume),
    length: len,
  };
}

/**
 * Parses and validates a funding CSV (`funding_time_ms,funding_rate`) named `<SYMBOL>.csv`. Throws
 * DeskError VALIDATION {file, line, reason} on a bad name or header, a malformed row, a non-finite
 * value, a time that is not a non-negative integer or not strictly increasing, or |rate| ≥ 1.
 */
export function parseFundingCsv(text: string, file: string): FundingFile {
  const { symbol } = fundingFileName(file);
  const cap = countLines(text);
  const time = new Float64Array(cap);
  const rate = new Float64Array(cap);
  let len = 0;
  let prev = -Infinity;
  scanRows(text, file, FUNDING_HEADER, FUNDING_COLUMNS, (v, line) => {
    const t = v[0] as number;
    const r = v[1] as number;
    if (!Number.isSafeInteger(t) || t < 0) throw csvError(file, line, 'funding_time_ms must be a non-negative integer');
    if (Math.abs(r) >= 1) throw csvError(file, line, 'funding_rate must be a fraction with |rate| < 1');
    if (t === prev) throw csvError(file, line, `duplicate funding_time_ms ${t}`);
    if (t < prev) throw csvError(file, line, `funding_time_ms ${t} is before the previous row (${prev})`);
    prev = t;
    time[len] = t;
    rate[len] = r;
    len++;
  });
  return {
    symbol,
    file,
    time: len === cap ? time : time.slice(0, len),
    rate: len === cap ? rate : rate.slice(0, len),
    length: len,
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT') throw new DeskError('NOT_FOUND', { file: path }, `${path}: no such file`);
    throw new DeskError('CONFIG', { file: path }, `${path}: not readable`);
  }
}

/**
 * Reads and validates the kline CSV at `path` (see parseKlineCsv). Throws DeskError NOT_FOUND when
 * the file does not exist, CONFIG when it cannot be read, VALIDATION when its content is refused.
 */
export function loadKlineFile(path: string): KlineFile {
  return parseKlineCsv(readText(path), path);
}

/**
 * Reads and validates the funding CSV at `path` (see parseFundingCsv). Throws DeskError NOT_FOUND
 * when the file does not exist, CONFIG when it cannot be read, VALIDATION when its content is refused.
 */
export function loadFundingFile(path: string): FundingFile {
  return parseFundingCsv(readText(path), path);
}
