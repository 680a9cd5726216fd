import { HistoryIntegrity } from '../../signing/history-integrity';
import type { HistoryVerifier } from '../integrity/history-verifier';
import type { Checkpointer } from '../signing/checkpointer';
import { AuditLogRuntime } from './audit-log-runtime';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('AuditLogRuntime: the tamper check’s clock', () => {
  it('waits the verify interval after a check ends, even when the check takes longer than it', async () => {
    const checks: { started: number; ended: number }[] = [];
    const verifier = {
      catchingUp: async () => false,
      verify: async () => {
        const started = Date.now();
        await sleep(120);
        checks.push({ started, ended: Date.now() });
        return { outcome: 'intact', checkedLeaves: 0 };
      },
    } as unknown as HistoryVerifier;
    const runtime = new AuditLogRuntime(
      verifier,
      { signIfGrown: () => undefined } as unknown as Checkpointer,
      new HistoryIntegrity(),
      {
        checkpointIntervalMs: 60_000,
        verifyIntervalMs: 80,
        logger: { warn: () => {}, error: () => {}, log: () => {} },
      },
    );
    runtime.start();
    await sleep(900);
    await runtime.stop();

    // Back to back, 900 ms would hold 7 checks of 120 ms; with 80 ms between them, at most 5.
    expect(checks.length).toBeGreaterThanOrEqual(3);
    expect(checks.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < checks.length; i++)
      expect(checks[i].started - checks[i - 1].ended).toBeGreaterThanOrEqual(75);
  });
});
