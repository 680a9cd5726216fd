import type { HistoryIntegrity } from '../../signing/history-integrity';
import type { HistoryVerifier } from '../integrity/history-verifier';
import type { Checkpointer } from '../signing/checkpointer';

/** How soon a check put off by a catch-up looks again. */
const CATCH_UP_RECHECK_MS = 1000;

export interface AuditLogRuntimeOptions {
  checkpointIntervalMs: number;
  verifyIntervalMs: number;
  logger: { warn(message: string): void; error(message: string): void; log(message: string): void };
}

/**
 * The log's two clocks: the tamper check at start and then a verify interval after each check
 * ends, and the checkpointer every checkpoint interval (it signs nothing once a check found the history
 * rewritten). One check runs at a time; an interrupted one (a replay of the read model meanwhile)
 * runs again at the next tick.
 */
export class AuditLogRuntime {
  private timers: NodeJS.Timeout[] = [];
  private checking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly verifier: HistoryVerifier,
    private readonly checkpointer: Checkpointer,
    private readonly integrity: HistoryIntegrity,
    private readonly options: AuditLogRuntimeOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.checkThenWait();
    const checkpoints = setInterval(() => this.checkpoint(), this.options.checkpointIntervalMs);
    // The timers never keep the process alive on their own.
    checkpoints.unref();
    this.timers.push(checkpoints);
  }

  /**
   * A check, then the verify interval from its end: a check that takes longer than the interval
   * (a long history re-read page by page) is followed by a pause, never by the next check at once,
   * so the share of time spent checking stays below duration / (duration + interval).
   */
  private checkThenWait(): void {
    void this.check().finally(() => {
      if (this.stopped) return;
      const next = setTimeout(() => {
        this.timers = this.timers.filter((timer) => timer !== next);
        this.checkThenWait();
      }, this.options.verifyIntervalMs);
      next.unref();
      this.timers.push(next);
    });
  }

  /** Runs a check now, or joins the one already running. */
  check(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.checking ??= this.runCheck().finally(() => (this.checking = undefined));
    return this.checking;
  }

  isStopped(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    await this.checking;
  }

  private async runCheck(): Promise<void> {
    const wasRewritten = this.integrity.current().state === 'rewritten';
    try {
      // The first check waits for the catch-up (see catchingUp); later ones run on their interval.
      if (this.integrity.current().state === 'unverified' && (await this.verifier.catchingUp())) {
        const retry = setTimeout(() => void this.check(), CATCH_UP_RECHECK_MS);
        retry.unref();
        this.timers.push(retry);
        return;
      }
      const outcome = await this.verifier.verify();
      if (outcome.outcome === 'rewritten' && !wasRewritten) {
        const { kind, leafIndex, position } = outcome.rewrite;
        this.options.logger.error(
          `Audit log: the stored history was rewritten (${kind} at leaf ${leafIndex}${position ? `, store position ${position}` : ''}); no checkpoint or bundle is signed until an operator restores the store or starts a new log`,
        );
      }
    } catch (error) {
      // Stopping closes the databases under a running check; anything else is worth a line.
      if (!this.stopped)
        this.options.logger.warn(
          `Audit log check failed, retried at the next interval: ${error instanceof Error ? error.message : String(error)}`,
        );
    }
  }

  private checkpoint(): void {
    if (this.stopped) return;
    try {
      this.checkpointer.signIfGrown();
    } catch (error) {
      this.options.logger.warn(
        `Audit log checkpoint not signed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
