import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedJson } from '../support/parsed-json';
import {
  CutOff,
  holderKey,
  keyBody,
  newRequestId,
  printSummary,
  readModelTables,
  readStore,
  ReliabilityService,
  scaled,
  type StoredEvent,
  type Who,
} from './support/harness';

/**
 * kill -9 under command load, again and again. After every crash: each command answered 2xx is in
 * the store exactly as answered; a command cut off mid-flight is wholly in or wholly out (an
 * ownership acceptance writes 3+ events in one append); the streams keep their invariants; a
 * retry with the same Idempotency-Key appends nothing twice; and the read model the restarted
 * service caught up equals one rebuilt from scratch (compared table by table after every crash at
 * full scale, after the last one in the small run inside `npm test`).
 */

const CYCLES = scaled(3, 20);
/** Compare the caught-up read model with a rebuild after every crash (full) or after the last (small: restarts are the cost). */
const REBUILD_EVERY_CYCLE = scaled(0, 1) === 1;
const BATTERIES = scaled(4, 12);
/** How long the load runs before the kill, in ms (uniformly in this range). */
const KILL_AFTER_MS: [number, number] = [250, scaled(700, 1500)];

interface Command {
  key: string;
  serial: string;
  kind:
    | 'issue-owner-key'
    | 'assign-lease'
    | 'issue-operator-key'
    | 'request-transfer'
    | 'accept-transfer';
  method: 'POST';
  path: string;
  body: Record<string, unknown> | undefined;
  as: Who;
  /** The last answer (a retry after a crash overwrites the cut-off). */
  status?: number;
  answer?: {
    events: { id: string; type: string; revision: number; data: ParsedJson }[];
    replayed: boolean;
    streamId: string;
  };
  cutOff?: boolean;
  /** Answered 2xx before the crash, or only on the retry after it. */
  answeredBeforeCrash?: boolean;
}

const owners = { 'lessor-a': 'ownerA', 'lessor-b': 'ownerB' } as const;
type Owner = keyof typeof owners;
const other = (owner: Owner): Owner => (owner === 'lessor-a' ? 'lessor-b' : 'lessor-a');

/** One battery's scripted life: keys, a lease, an operator key, a transfer and its acceptance, again. */
class BatteryWorker {
  owner: Owner = 'lessor-a';
  leased = false;
  openTransfer: string | undefined;
  private n = 0;
  private keyIndex: number;

  constructor(
    readonly serial: string,
    index: number,
    private readonly commands: Command[],
  ) {
    this.keyIndex = index * 100_000;
  }

  /** The next command of the script, from what the worker believes the battery's state is. */
  next(): Command {
    const n = this.n++;
    const step = n % 5;
    const base = { key: `${this.serial}-c${n}`, serial: this.serial, method: 'POST' as const };
    let command: Command;
    if (this.openTransfer) {
      command = {
        ...base,
        kind: 'accept-transfer',
        path: `/v1/batteries/${this.serial}/transfers/${this.openTransfer}/accept`,
        body: {},
        as: owners[other(this.owner)],
      };
    } else if (step === 1 && !this.leased) {
      command = {
        ...base,
        kind: 'assign-lease',
        path: `/v1/batteries/${this.serial}/leases`,
        body: { operatorId: 'courier', leaseId: `${this.serial}-l${n}` },
        as: owners[this.owner],
      };
    } else if (step === 2 && this.leased) {
      command = {
        ...base,
        kind: 'issue-operator-key',
        path: `/v1/batteries/${this.serial}/keys`,
        body: {
          ...keyBody(`driver-${n}`, holderKey(this.keyIndex++), ['discharge']),
          holder: { personId: `driver-${n}`, partyId: 'courier' },
          keyId: `${this.serial}-k${n}`,
        },
        as: 'fleetManager',
      };
    } else if (step === 3) {
      command = {
        ...base,
        kind: 'request-transfer',
        path: `/v1/batteries/${this.serial}/transfers`,
        body: { toOwnerId: other(this.owner), transferId: `${this.serial}-t${n}` },
        as: owners[this.owner],
      };
    } else {
      command = {
        ...base,
        kind: 'issue-owner-key',
        path: `/v1/batteries/${this.serial}/keys`,
        body: {
          ...keyBody(`tech-${n}`, holderKey(this.keyIndex++), ['diagnostics.read']),
          keyId: `${this.serial}-k${n}`,
        },
        as: owners[this.owner],
      };
    }
    this.commands.push(command);
    return command;
  }

  /** What the worker learns from a 2xx answer. */
  learn(command: Command): void {
    if (command.kind === 'assign-lease') this.leased = true;
    if (command.kind === 'request-transfer')
      this.openTransfer = String((command.body as { transferId: string }).transferId);
    if (command.kind === 'accept-transfer') {
      this.owner = other(this.owner);
      this.leased = false;
      this.openTransfer = undefined;
    }
  }

  /** After a crash: the battery's state as the service now sees it. */
  async resync(service: ReliabilityService): Promise<void> {
    const answer = await service.request('GET', `/v1/batteries/${this.serial}`, { as: 'platform' });
    if (answer.status !== 200) throw new Error(`GET ${this.serial}: ${answer.status}`);
    this.owner = answer.body.ownerId;
    this.leased = Boolean(answer.body.lease);
    this.openTransfer = answer.body.openTransfer?.transferId;
  }
}

async function send(service: ReliabilityService, command: Command): Promise<void> {
  const answer = await service.request(command.method, command.path, {
    as: command.as,
    body: command.body,
    headers: { 'idempotency-key': command.key, 'x-request-id': newRequestId() },
  });
  command.status = answer.status;
  command.cutOff = false;
  if (answer.status >= 200 && answer.status < 300) command.answer = answer.body;
}

/** Runs every worker until the service dies under it; returns the commands cut off. */
async function loadUntilKilled(
  service: ReliabilityService,
  workers: BatteryWorker[],
  killAfterMs: number,
): Promise<Command[]> {
  const cutOff: Command[] = [];
  let killed = false;
  let answered = 0;
  const killer = (async () => {
    // On a slow machine the time alone may pass before much happened: wait for some answers too.
    const started = Date.now();
    while (
      Date.now() - started < killAfterMs ||
      (answered < workers.length * 3 && Date.now() - started < 15_000)
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    killed = true;
    await service.process.kill();
  })();
  await Promise.all(
    workers.map(async (worker) => {
      while (!killed) {
        const command = worker.next();
        try {
          await send(service, command);
        } catch (error) {
          if (!(error instanceof CutOff)) throw error;
          command.cutOff = true;
          cutOff.push(command);
          return;
        }
        if (command.status !== undefined && command.status >= 500)
          throw new Error(`${command.kind} ${command.path}: ${command.status}`);
        answered++;
        if (command.answer) {
          command.answeredBeforeCrash = true;
          worker.learn(command);
        }
      }
    }),
  );
  await killer;
  return cutOff;
}

interface Violation {
  what: string;
  detail: string;
}

/** Checks the store against every answer and against the invariants; returns what is wrong. */
function checkStore(
  events: StoredEvent[],
  commands: Command[],
): { violations: Violation[]; groups: Map<string, StoredEvent[]> } {
  const violations: Violation[] = [];
  const byId = new Map(events.map((event) => [event.id, event]));
  const groups = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const key = event.metadata?.idempotency?.key as string | undefined;
    if (!key) continue;
    groups.set(key, [...(groups.get(key) ?? []), event]);
  }
  const sent = new Set(commands.map((command) => command.key));

  // Every answered command is in the store exactly as answered, and appended once.
  for (const command of commands) {
    const group = groups.get(command.key) ?? [];
    if (command.answer) {
      for (const answered of command.answer.events) {
        const stored = byId.get(answered.id);
        if (
          !stored ||
          stored.type !== answered.type ||
          stored.revision !== answered.revision ||
          stored.streamId !== command.answer.streamId
        ) {
          violations.push({
            what: 'answered-but-missing',
            detail: `${command.kind} ${command.key}: event ${answered.id} (${answered.type}) ${stored ? 'differs' : 'not in the store'}`,
          });
        }
      }
      if (group.length !== command.answer.events.length) {
        violations.push({
          what: 'answered-count-differs',
          detail: `${command.key}: answered ${command.answer.events.length} events, the store has ${group.length}`,
        });
      }
    }
  }

  // One command, one append: a group is consecutive in its stream and in the global order.
  for (const [key, group] of groups) {
    if (!sent.has(key))
      violations.push({
        what: 'unknown-write',
        detail: `events under idempotency key ${key} that no client sent`,
      });
    const contiguous = group.every(
      (event, i) =>
        i === 0 ||
        (event.streamId === group[0].streamId &&
          event.revision === group[0].revision + i &&
          event.position === group[0].position + i),
    );
    if (!contiguous)
      violations.push({ what: 'split-append', detail: `${key}: events not one contiguous append` });
    const types = group.map((event) => event.type);
    if (
      types.includes('OwnershipTransferAccepted') &&
      (types[0] !== 'OwnershipTransferAccepted' ||
        types[types.length - 1] !== 'OwnershipTransferred')
    ) {
      violations.push({ what: 'partial-acceptance', detail: `${key}: ${types.join(',')}` });
    }
  }

  // Stream invariants, folded event by event and checked at every append boundary.
  const streams = new Map<string, StoredEvent[]>();
  for (const event of events)
    streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event]);
  for (const [streamId, stream] of streams) {
    if (!stream.every((event, i) => event.revision === i))
      violations.push({ what: 'revisions-not-dense', detail: streamId });
    if (!streamId.startsWith('battery-')) continue;
    let owner: string | undefined;
    let lease: string | undefined;
    let openTransfers = 0;
    const keys = new Map<string, { relationship: string; partyId: string; leaseId?: string }>();
    const everIssued = new Set<string>();
    stream.forEach((event, i) => {
      const d = event.data;
      switch (event.type) {
        case 'BatteryProvisioned':
          owner = d.ownerId;
          break;
        case 'LeaseAssigned':
          lease = d.leaseId;
          break;
        case 'LeaseEnded':
          lease = undefined;
          break;
        case 'KeyIssued':
          if (everIssued.has(d.keyId))
            violations.push({ what: 'duplicate-key-id', detail: `${streamId} ${d.keyId}` });
          everIssued.add(d.keyId);
          keys.set(d.keyId, d.authority);
          break;
        case 'KeyRevoked':
          keys.delete(d.keyId);
          break;
        case 'OwnershipTransferRequested':
          openTransfers++;
          break;
        case 'OwnershipTransferCancelled':
          openTransfers--;
          break;
        case 'OwnershipTransferred':
          owner = d.toOwnerId;
          openTransfers--;
          break;
      }
      const boundary =
        i === stream.length - 1 ||
        stream[i + 1].metadata?.idempotency?.key !== event.metadata?.idempotency?.key;
      if (!boundary) return;
      if (openTransfers > 1)
        violations.push({
          what: 'two-open-transfers',
          detail: `${streamId} at revision ${event.revision}`,
        });
      for (const [keyId, authority] of keys) {
        if (authority.relationship === 'owner' && authority.partyId !== owner) {
          violations.push({
            what: 'old-owner-key-alive',
            detail: `${streamId} at revision ${event.revision}: ${keyId} of ${authority.partyId}, owner ${owner}`,
          });
        }
        if (authority.relationship === 'operator' && authority.leaseId !== lease) {
          violations.push({
            what: 'operator-key-without-lease',
            detail: `${streamId} at revision ${event.revision}: ${keyId}`,
          });
        }
      }
    });
  }
  return { violations, groups };
}

describe('crash: kill -9 under command load', () => {
  jest.setTimeout(scaled(90_000, 900_000));
  /** What the crash run left, for the check of the checks below. */
  let finalStore: StoredEvent[] = [];
  let finalCommands: Command[] = [];

  it(`keeps every answered command, no half command, and a read model equal to a rebuild, over ${CYCLES} crashes`, async () => {
    const service = await ReliabilityService.start();
    const commands: Command[] = [];
    const figures = {
      cycles: 0,
      commands: 0,
      answered: 0,
      cutOff: 0,
      cutOffIn: 0,
      cutOffOut: 0,
      retried: 0,
      retriedReplayed: 0,
      violations: 0,
      rebuildChecks: 0,
      readModelMismatches: 0,
      restartMs: 0,
    };
    const violations: Violation[] = [];
    try {
      const serials = Array.from({ length: BATTERIES }, (_, i) => `CRASH-${i}`);
      await service.seed(serials);
      const workers = serials.map((serial, index) => new BatteryWorker(serial, index, commands));

      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const killAfter = KILL_AFTER_MS[0] + Math.random() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0]);
        const cutOff = await loadUntilKilled(service, workers, killAfter);
        figures.cycles++;
        figures.cutOff += cutOff.length;

        // The service is dead: read its store file as it was left.
        const { violations: found, groups } = checkStore(readStore(service.dataDir), commands);
        violations.push(...found);
        for (const command of cutOff) {
          if ((groups.get(command.key) ?? []).length > 0) figures.cutOffIn++;
          else figures.cutOffOut++;
        }

        const restarted = Date.now();
        await service.process.start();
        figures.restartMs = Math.max(figures.restartMs, Date.now() - restarted);

        // Clients retry what was cut off, with the same Idempotency-Key and body.
        for (const command of cutOff) {
          await send(service, command);
          figures.retried++;
          if (command.status !== undefined && command.status >= 500)
            violations.push({ what: 'retry-5xx', detail: `${command.key}: ${command.status}` });
          if (command.answer?.replayed) figures.retriedReplayed++;
        }
        const afterRetries = checkStore(readStore(service.dataDir), commands);
        violations.push(
          ...afterRetries.violations.filter(
            (v) => !found.some((f) => f.what === v.what && f.detail === v.detail),
          ),
        );
        for (const worker of workers) await worker.resync(service);

        // The read model it caught up equals one rebuilt from nothing.
        if (!REBUILD_EVERY_CYCLE && cycle < CYCLES - 1) continue;
        figures.rebuildChecks++;
        await service.process.waitCaughtUp(30_000);
        const caughtUp = readModelTables(service.dataDir);
        await service.process.stop();
        for (const file of ['read-model.db', 'read-model.db-wal', 'read-model.db-shm'])
          rmSync(join(service.dataDir, file), { force: true });
        await service.process.start();
        await service.process.waitCaughtUp(30_000);
        const rebuilt = readModelTables(service.dataDir);
        for (const table of new Set([...Object.keys(caughtUp), ...Object.keys(rebuilt)])) {
          if (JSON.stringify(caughtUp[table]) !== JSON.stringify(rebuilt[table])) {
            figures.readModelMismatches++;
            violations.push({
              what: 'read-model-differs',
              detail: `table ${table}: ${caughtUp[table]?.length ?? 0} rows caught up, ${rebuilt[table]?.length ?? 0} rebuilt`,
            });
          }
        }
      }
      finalStore = readStore(service.dataDir);
      finalCommands = commands;
      figures.commands = commands.length;
      figures.answered = commands.filter((command) => command.answer).length;
      (figures as Record<string, number>).refused = commands.filter(
        (command) => command.status !== undefined && command.status >= 400,
      ).length;
      figures.violations = violations.length;
      printSummary('crash', { ...figures, failures: violations.length });
      expect(violations).toEqual([]);
      // The run must have exercised what it claims to: crashes with commands in flight.
      expect(figures.cutOff).toBeGreaterThan(0);
      expect(commands.some((command) => command.kind === 'accept-transfer' && command.answer)).toBe(
        true,
      );
    } finally {
      await service.stop();
    }
  });

  it('would notice a lost answered event, a half acceptance and a key outliving its owner (the checks can fail)', () => {
    expect(finalStore.length).toBeGreaterThan(0);
    const accepted = finalCommands.find(
      (command) =>
        command.kind === 'accept-transfer' && command.answer && command.answer.events.length >= 3,
    );
    expect(accepted).toBeDefined();
    const transferred = accepted?.answer?.events.find(
      (event) => event.type === 'OwnershipTransferred',
    );
    const withoutLast = finalStore.filter((event) => event.id !== transferred?.id);
    const found = checkStore(withoutLast, finalCommands).violations.map((v) => v.what);
    expect(found).toEqual(expect.arrayContaining(['answered-but-missing', 'partial-acceptance']));

    const ownerKeyIds = new Set(
      finalStore
        .filter((e) => e.type === 'KeyIssued' && e.data.authority.relationship === 'owner')
        .map((e) => e.data.keyId),
    );
    const revocation = finalCommands
      .filter((command) => command.kind === 'accept-transfer' && command.answer)
      .flatMap((command) => command.answer?.events ?? [])
      .find((event) => event.type === 'KeyRevoked' && ownerKeyIds.has(event.data.keyId));
    if (revocation) {
      const keyKept = finalStore.filter((event) => event.id !== revocation.id);
      expect(checkStore(keyKept, finalCommands).violations.map((v) => v.what)).toEqual(
        expect.arrayContaining(['old-owner-key-alive']),
      );
    }
  });
});
