import type { IncomingMessage } from 'node:http';
import { createTokenAuth, type Actor, type DeskToken } from '../engine/index.ts';

/**
 * Maps `Authorization: Bearer <secret>` to the MCP actor of the matching DESK_TOKENS entry
 * (`{kind:'mcp', id: name, role}`) with the desk's constant-time token check; null when absent or unknown.
 */
export function createBearerAuth(tokens: readonly DeskToken[]): (req: IncomingMessage) => Actor | null {
  const auth = createTokenAuth(tokens, 'mcp');
  return (req) => auth.fromHeader(req.headers.authorization);
}

/** Lower-cased hostname of a Host header or URL authority, IPv6 in brackets; null if unparsable. */
function hostnameOf(authority: string): string | null {
  try {
    return new URL(`http://${authority}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * DNS-rebinding guard: the Host header's hostname must be allowed (port-agnostic), and an Origin
 * header, when sent, must be an http(s) origin on an allowed hostname. Returns the reason it fails, or null.
 */
export function checkHostAndOrigin(req: IncomingMessage, allowedHostnames: ReadonlySet<string>): string | null {
  const host = req.headers.host;
  const hn = typeof host === 'string' ? hostnameOf(host) : null;
  if (hn === null || !allowedHostnames.has(hn)) return 'host not allowed';
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  try {
    const u = new URL(origin);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || !allowedHostnames.has(u.hostname.toLowerCase())) return 'origin not allowed';
  } catch {
    return 'origin not allowed';
  }
  return null;
}

/** The hostnames the desk answers to: loopback names plus `bindHost` when it is a specific address; never throws. */
export function defaultAllowedHostnames(bindHost: string, extra: readonly string[] = []): Set<string> {
  const out = new Set(['127.0.0.1', 'localhost', '[::1]']);
  const b = bindHost.trim().toLowerCase();
  if (b && b !== '0.0.0.0' && b !== '::' && b !== '[::]') out.add(b.includes(':') && !b.startsWith('[') ? `[${b}]` : b);
  for (const h of extra) out.add(h.toLowerCase());
  return out;
}
