import { KillSwitchInput, PauseInput, RiskStateOutput, type RiskStateResult } from '../engine/index.ts';
import { defineTool, type ToolContext } from './tool-kit.ts';

const CONTROL = { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

function summary(r: RiskStateResult): string {
  return `Entries ${r.entriesPaused ? 'paused' : 'open'}; kill switch ${r.killSwitch ? 'ON' : 'off'}; breaker ${r.breakerTripped ? 'TRIPPED' : 'ok'}.`;
}

/** Registers pause_entries, resume_entries and set_kill_switch (never capped: they exist to reduce risk); never throws. */
export function registerControlTools(ctx: ToolContext): void {
  const { desk, actor } = ctx;

  defineTool(ctx, {
    name: 'pause_entries',
    title: 'Pause new entries',
    description:
      'Stops the desk from opening new positions (closes, stops and targets keep working). Admin only. Give a short ' +
      'reason; it is recorded. Calling it while already paused changes nothing.',
    input: PauseInput,
    output: RiskStateOutput,
    annotations: CONTROL,
    run: async (args) => {
      const r = await desk.pauseEntries(actor, args);
      return { value: r, summary: summary(r) };
    },
  });

  defineTool(ctx, {
    name: 'resume_entries',
    title: 'Resume new entries',
    description:
      'Lets the desk open new positions again and clears a tripped daily-loss breaker. Admin only. Does not turn ' +
      'the kill switch off (use set_kill_switch for that).',
    input: PauseInput,
    output: RiskStateOutput,
    annotations: CONTROL,
    run: async (args) => {
      const r = await desk.resumeEntries(actor, args);
      return { value: r, summary: summary(r) };
    },
  });

  defineTool(ctx, {
    name: 'set_kill_switch',
    title: 'Kill switch (close-only mode)',
    description:
      'on=true puts the desk in close-only mode at once: no new entries from anyone, existing positions can still be ' +
      'closed. Traders may turn it on; turning it off (on=false) needs an admin. Use it when something looks wrong; ' +
      'it never closes positions by itself.',
    input: KillSwitchInput,
    output: RiskStateOutput,
    annotations: CONTROL,
    run: async (args) => {
      const r = await desk.setKillSwitch(actor, args);
      return { value: r, summary: summary(r) };
    },
  });
}
