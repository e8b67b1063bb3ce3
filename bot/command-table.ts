import type { Role } from '../engine/index.ts';

/** Which /help section a command belongs to. */
export type CommandSection = 'read' | 'trade' | 'admin';

/** A bot command: its name, the least role that may run it, its locale key and its /help section. */
export interface CommandSpec {
  name: string;
  minRole: Role;
  key: string;
  section: CommandSection;
}

/** Every command the bot understands, in /help order. Locale keys are literal for the locale-usage test. */
export const COMMANDS: readonly CommandSpec[] = [
  { name: 'start', minRole: 'viewer', key: 'cmd-start', section: 'read' },
  { name: 'help', minRole: 'viewer', key: 'cmd-help', section: 'read' },
  { name: 'status', minRole: 'viewer', key: 'cmd-status', section: 'read' },
  { name: 'scan', minRole: 'viewer', key: 'cmd-scan', section: 'read' },
  { name: 'signals', minRole: 'viewer', key: 'cmd-signals', section: 'read' },
  { name: 'signal', minRole: 'viewer', key: 'cmd-signal', section: 'read' },
  { name: 'positions', minRole: 'viewer', key: 'cmd-positions', section: 'read' },
  { name: 'balance', minRole: 'viewer', key: 'cmd-balance', section: 'read' },
  { name: 'pnl', minRole: 'viewer', key: 'cmd-pnl', section: 'read' },
  { name: 'limits', minRole: 'viewer', key: 'cmd-limits', section: 'read' },
  { name: 'subscribe', minRole: 'viewer', key: 'cmd-subscribe', section: 'read' },
  { name: 'unsubscribe', minRole: 'viewer', key: 'cmd-unsubscribe', section: 'read' },
  { name: 'mute', minRole: 'viewer', key: 'cmd-mute', section: 'read' },
  { name: 'unmute', minRole: 'viewer', key: 'cmd-unmute', section: 'read' },
  { name: 'settings', minRole: 'viewer', key: 'cmd-settings', section: 'read' },
  { name: 'close', minRole: 'trader', key: 'cmd-close', section: 'trade' },
  { name: 'pause', minRole: 'admin', key: 'cmd-pause', section: 'admin' },
  { name: 'resume', minRole: 'admin', key: 'cmd-resume', section: 'admin' },
  { name: 'kill', minRole: 'admin', key: 'cmd-kill', section: 'admin' },
  { name: 'unkill', minRole: 'admin', key: 'cmd-unkill', section: 'admin' },
  { name: 'users', minRole: 'admin', key: 'cmd-users', section: 'admin' },
  { name: 'report', minRole: 'admin', key: 'cmd-report', section: 'admin' },
];

/** The spec of command `name`; throws Error for an unknown name (a programming error). */
export function commandSpec(name: string): CommandSpec {
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown command ${name}`);
  return c;
}
