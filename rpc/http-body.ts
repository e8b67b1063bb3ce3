import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body any route of the desk's HTTP server accepts (1 MB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An error with an HTTP status that the desk's HTTP server turns into a JSON reply; never carries secrets. */
export class HttpError extends Error {
  /** Builds an error for `status` with a short public `reason` (e.g. "payload_too_large"). */
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'HttpError';
  }
}

/**
 * Reads the whole request body into a Buffer, refusing more than `limit` bytes: rejects with
 * HttpError 413 as soon as the declared or received size is too big (the caller replies and closes),
 * and with HttpError 400 if the client aborts mid-body.
 */
export function readBody(req: IncomingMessage, limit: number = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new HttpError(413, 'payload_too_large'));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: HttpError | null): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        req.resume();
        reject(err);
      } else {
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) return finish(new HttpError(413, 'payload_too_large'));
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(null);
    const onError = (): void => finish(new HttpError(400, 'bad_request'));
    const onAborted = (): void => finish(new HttpError(400, 'bad_request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/**
 * Writes `body` as a JSON reply with `status` and no-store caching; a no-op if the headers already
 * went out. Throws only if `body` cannot be serialized (cycles, BigInt).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/**
 * A log-safe summary of anything thrown: its class name and stack frames, never its message (which may
 * quote a vendor response, a URL with credentials or a secret). Never throws.
 */
export function safeErr(err: unknown): { name: string; frames: string[] } {
  const name = err instanceof Error ? err.name : typeof err;
  const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
  const frames = stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 8)
    .map((l) => l.trim());
  return { name, frames };
}
