/** Something with queued output to write out once the current event-loop turn has read its input. */
export type Flush = () => void;

const due: Flush[] = [];
let armed = false;

function runDue(): void {
  armed = false;
  // Flushes queued while flushing run in the next turn, so one busy socket cannot starve the loop.
  const batch = due.splice(0, due.length);
  for (const f of batch) {
    try {
      f();
    } catch {
      // a flush owns its socket's errors; one failing must not stop the others
    }
  }
}

/**
 * Runs `flush` once after the current poll phase (setImmediate), together with every other flush
 * scheduled in the same turn: replies to the messages read in one turn leave in one burst instead of
 * one write between every read (fewer wake-ups of the peers and of this loop). Callers schedule a
 * flush once per pending batch. Never throws.
 */
export function scheduleFlush(flush: Flush): void {
  due.push(flush);
  if (!armed) {
    armed = true;
    setImmediate(runDue);
  }
}
