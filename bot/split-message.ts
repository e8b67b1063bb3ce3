/** Telegram's hard limit on the length of one message text. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/**
 * Splits `text` into chunks of at most `limit` characters, breaking on line boundaries; a single line
 * longer than `limit` is cut hard. Never returns an empty list (an empty text gives one empty chunk)
 * and throws RangeError for a limit below 1.
 */
export function splitMessage(text: string, limit: number = TELEGRAM_TEXT_LIMIT): string[] {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  if (text.length <= limit) return [text];
  const chunks: string[] = [];
  let current = '';
  const flush = (): void => {
    if (current.length > 0) chunks.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    let rest = line;
    while (rest.length > limit) {
      flush();
      chunks.push(rest.slice(0, limit));
      rest = rest.slice(limit);
    }
    if (current.length === 0) current = rest;
    else if (current.length + 1 + rest.length <= limit) current += '\n' + rest;
    else {
      flush();
      current = rest;
    }
  }
  flush();
  return chunks.length > 0 ? chunks : [''];
}
