import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

/** The part of an AbortSignal the client uses (grammY passes its own polyfilled signals). */
interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** What grammY hands to `fetch` for a Bot API call: a POST with a JSON string or a multipart stream. */
export interface BotApiRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: AbortSignalLike | null;
}

/** What grammY reads from the answer: the parsed JSON body (its own `ok`/`error_code` say the outcome). */
export interface BotApiResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

/** A Bot API `fetch`: sends one request and resolves with the whole answer read. */
export type BotApiFetch = (url: string, init?: BotApiRequestInit) => Promise<BotApiResponse>;

/** Largest answer read (getUpdates with 100 updates is far below it). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function abortError(): Error {
  const err = new Error('The Bot API request was aborted');
  err.name = 'AbortError';
  return err;
}

/**
 * A lean `fetch` for the grammY client over node:http/https with keep-alive agents: the request goes
 * out as given (JSON string or multipart stream), the answer is read whole and parsed by `json()`.
 * It replaces node-fetch, whose Request/Response/Headers/body-stream objects per call were the bot's
 * largest share of CPU and garbage per Bot API call (see scripts/bench/telegram.ts). Rejects on a
 * network error, an abort through `signal` (name AbortError), an answer over 64 MiB, and `json()`
 * rejects on a body that is not JSON; grammY turns each into its HttpError.
 */
export function createBotApiFetch(): BotApiFetch {
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  return (url, init = {}) =>
    new Promise<BotApiResponse>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const secure = url.startsWith('https:');
      const body = init.body;
      const headers: Record<string, string> = { ...init.headers };
      if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
      const req = (secure ? httpsRequest : httpRequest)(url, { method: init.method ?? 'GET', headers, agent: secure ? httpsAgent : httpAgent });
      let finished = false;
      const finish = (err: Error | null, res?: BotApiResponse): void => {
        if (finished) return;
        finished = true;
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res!);
      };
      const onAbort = (): void => {
        const err = abortError();
        req.destroy(err);
        finish(err);
      };
      signal?.addEventListener('abort', onAbort);
      req.on('error', (err) => finish(err));
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            const err = new Error(`Bot API answer over ${MAX_RESPONSE_BYTES} bytes`);
            req.destroy(err);
            finish(err);
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => finish(err));
        res.on('aborted', () => finish(new Error('Bot API connection closed before the answer was complete')));
        res.on('end', () => {
          const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
          const status = res.statusCode ?? 0;
          finish(null, {
            ok: status >= 200 && status < 300,
            status,
            json: () => new Promise((ok) => ok(JSON.parse(text))),
          });
        });
      });
      if (body === undefined) req.end();
      else if (typeof body === 'string') req.end(body);
      else {
        body.on('error', (err: Error) => {
          req.destroy(err);
          finish(err);
        });
        body.pipe(req);
      }
    });
}
