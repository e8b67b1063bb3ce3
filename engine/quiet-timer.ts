/**
 * Runs a task once a stretch of quiet has passed: each poke() (a burst just ended) starts or pushes
 * back one timer of `quietMs`, and the task runs when no poke came for that long. The timer never
 * keeps the process alive. The task must not throw (callers catch inside it).
 */
export class QuietTimer {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  /** Builds an idle timer for `task`; nothing runs until poke(). */
  constructor(
    private readonly quietMs: number,
    private readonly task: () => void,
  ) {}

  /** Starts the quiet wait, or starts it over if one is running; a no-op once stopped; never throws. */
  poke(): void {
    if (this.stopped) return;
    if (this.timer) {
      this.timer.refresh();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.task();
    }, this.quietMs);
    this.timer.unref();
  }

  /** Cancels a pending run and ignores later pokes; idempotent, never throws. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
