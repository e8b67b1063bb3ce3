import type { z } from 'zod';
import { DeskError } from './errors.ts';

/**
 * Validates `input` against `schema` and returns the parsed value; throws DeskError VALIDATION naming
 * the first offending field (`detail.field`, dotted path) and what was expected (`detail.reason`).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(input)';
  throw new DeskError('VALIDATION', { field, reason: issue?.message ?? 'invalid' }, `invalid ${field}: ${issue?.message ?? 'invalid'}`);
}
