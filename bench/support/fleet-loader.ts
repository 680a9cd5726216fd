import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import type { NewEvent, RecordedEvent } from '../../src/event-store/event-store.port';
import { batteryDecider } from '../../src/batteries/domain/battery-decider';
import type { BatteryCommand } from '../../src/batteries/domain/battery-commands';
import { batteryStreamId, type BatteryEvent } from '../../src/batteries/domain/battery-events';
import type { PublicKey } from '../../src/shared/domain/public-key';
import { HOLDER_KEY_LABEL, keyPairAt, serialOf, type KeyPair } from './keys';
import type { BatteryState } from '../../src/batteries/domain/battery-state';
import type { Capability } from '../../src/policy/domain/capability-catalogue';
import { partyDecider } from '../../src/parties/domain/party-decider';
import { partyStreamId } from '../../src/parties/domain/party-events';
import type { Actor } from '../../src/shared/domain/actor';
import type { CommandContext } from '../../src/policy/domain/command-context';
import type { PartyKind } from '../../src/shared/domain/party-kind';
import { toDomainEvent, toNewEvent } from '../../src/shared/infrastructure/event-mapping';
import { EXAMPLE_HARD_LIMITS } from '../../src/device-simulator/simulated-fleet';

/**
 * Bench-only bulk loader. Every event comes out of the real deciders (`decide` then `evolve`,
 * mapped with the service's own `toNewEvent`), so the store holds exactly what the service would
 * have written through HTTP; only the write path differs: rows go into the SqliteEventStore's file
 * (schema created by its own constructor) in one transaction per chunk instead of one fsync'd
 * transaction per command. Event ids are UUID v7 (time-ordered) so the unique index grows at its
 * end; the service's own ids are v4, which the store treats the same.
 */

export const FLEET_PARTIES: { partyId: string; kind: PartyKind }[] = [
  { partyId: 'oem', kind: 'manufacturer' },
  { partyId: 'lessor-a', kind: 'lessor' },
  { partyId: 'lessor-b', kind: 'lessor' },
  { partyId: 'courier', kind: 'operator' },
  { partyId: 'workshop', kind: 'service-provider' },
];

export const FLEET_ACTORS = {
  platform: { personId: 'pat', partyId: 'platform', roles: ['platform-admin'] },
  provisioner: { personId: 'olga', partyId: 'oem', roles: ['provisioner'] },
  owner: { personId: 'alice', partyId: 'lessor-a', roles: ['owner-admin'] },
  ownerB: { personId: 'bob', partyId: 'lessor-b', roles: ['owner-admin'] },
} satisfies Record<string, Actor>;

const HARD_LIMITS = EXAMPLE_HARD_LIMITS;

const KEY_CAPABILITIES: Capability[][] = [
  ['status.read', 'discharge', 'charge'],
  ['diagnostics.read', 'faults.reset'],
  ['diagnostics.read', 'cells.balance', 'firmware.install-signed'],
];

/**
 * The policy in force, for source trees whose commands carry one (the policy engine); older trees
 * have no policy module and take the context without it.
 */
const POLICY_CONTEXT: Record<string, unknown> = (() => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- tried at run time: older source trees have no policy module
    const policyModule = require('../../src/policy/domain/default-policy') as {
      DEFAULT_POLICY: unknown;
    };
    return { policy: policyModule.DEFAULT_POLICY };
  } catch {
    return {};
  }
})();

export {
  DEVICE_KEY_LABEL,
  DEVICE_KEY_POOL,
  HOLDER_KEY_LABEL,
  keyPairAt,
  keyPool,
  serialOf,
  thumbprintOf,
  type KeyPair,
} from './keys';

export const commandContext = (actor: Actor, now: Date, requestId: string): CommandContext =>
  ({ actor, now, requestId, ...POLICY_CONTEXT }) as CommandContext;

export interface FleetOptions {
  batteries: number;
  keysPerBattery: number;
  /** Index of the first battery (to grow a fleet in steps: 1,000 → 100,000 → 1,000,000). */
  startIndex?: number;
  /** Register the parties first (only for the first load into an empty store). */
  registerParties?: boolean;
  /** Device identity keys, reused round-robin across batteries (the service does not index them). */
  deviceKeys: KeyPair[];
  /** Holder keys; each battery gets `keysPerBattery` distinct ones. */
  holderKeys: KeyPair[];
  batteriesPerTransaction?: number;
  onProgress?: (batteriesDone: number) => void;
}

export interface LoadResult {
  events: number;
  batteries: number;
  /** Wall time, generation through the deciders included. */
  ms: number;
  eventsPerSecond: number;
  /** Time inside the insert transactions only: the store file's raw insert rate. */
  insertMs: number;
  insertsPerSecond: number;
}

interface Row {
  id: string;
  streamId: string;
  revision: number;
  event: NewEvent;
}

/** The events of one battery (provisioned, then `keysPerBattery` keys), straight from the decider. */
export function batteryEvents(
  serial: string,
  deviceKey: PublicKey,
  holderKeys: KeyPair[],
  keysPerBattery: number,
  now: Date,
): NewEvent[] {
  const requestBase = `bench-${serial}`;
  const context = (actor: Actor, n: number) => commandContext(actor, now, `${requestBase}-${n}`);
  const commands: BatteryCommand[] = [
    {
      type: 'ProvisionBattery',
      serial,
      model: 'T2-48V',
      chemistry: 'NMC',
      hardLimits: HARD_LIMITS,
      deviceKey,
      manufacturer: { partyId: 'oem', kind: 'manufacturer' },
      firstOwner: { partyId: 'lessor-a', kind: 'lessor' },
      context: context(FLEET_ACTORS.provisioner, 0),
    },
  ];
  const notAfter = new Date(now.getTime() + 365 * 86_400_000);
  for (let k = 0; k < keysPerBattery; k++) {
    commands.push({
      type: 'IssueKey',
      keyId: `${serial}-k${k}`,
      holder: { personId: `tech-${k}`, party: { partyId: 'workshop', kind: 'service-provider' } },
      publicKey: holderKeys[k % holderKeys.length].publicKey,
      capabilities: KEY_CAPABILITIES[k % KEY_CAPABILITIES.length],
      notBefore: now,
      notAfter,
      context: context(FLEET_ACTORS.owner, k + 1),
    });
  }
  let state: BatteryState = batteryDecider.initialState();
  const events: NewEvent[] = [];
  for (const command of commands) {
    for (const event of batteryDecider.decide(command, state)) {
      state = batteryDecider.evolve(state, event);
      events.push(toNewEvent(event, uuidv7()));
    }
  }
  return events;
}

/** Creates the store file with the adapter's own schema, then bulk-inserts the fleet. */
export async function loadFleet(filename: string, options: FleetOptions): Promise<LoadResult> {
  if (options.keysPerBattery > options.holderKeys.length)
    throw new Error('Need at least as many holder keys as keys per battery');
  // The adapter's constructor creates (or checks) the schema: the file stays the adapter's format.
  await new SqliteEventStore(filename).dispose();

  const db = new Database(filename);
  // Bulk load: a half-done load is thrown away (the bench starts over), so no journal and no
  // fsync while loading; the file goes back to WAL (the adapter's mode) at the end.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  db.pragma('temp_store = MEMORY');
  const insert = db.prepare(
    'INSERT INTO events (event_id, stream_id, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertTransaction = db.transaction((rows: Row[], recordedAt: string) => {
    for (const row of rows) {
      insert.run(
        row.id,
        row.streamId,
        row.revision,
        row.event.type,
        JSON.stringify(row.event.data),
        JSON.stringify(row.event.metadata),
        recordedAt,
      );
    }
  });
  let insertNs = 0n;
  const insertRows = (rows: Row[], recordedAt: string) => {
    const t = process.hrtime.bigint();
    insertTransaction(rows, recordedAt);
    insertNs += process.hrtime.bigint() - t;
  };

  const started = process.hrtime.bigint();
  let events = 0;
  if (options.registerParties) {
    const rows: Row[] = [];
    for (const { partyId, kind } of FLEET_PARTIES) {
      const [event] = partyDecider.decide(
        {
          type: 'RegisterParty',
          partyId,
          name: partyId.toUpperCase(),
          kind,
          context: commandContext(FLEET_ACTORS.platform, new Date(), `bench-party-${partyId}`),
        },
        partyDecider.initialState(),
      );
      const newEvent = toNewEvent(event, uuidv7());
      rows.push({
        id: newEvent.id,
        streamId: partyStreamId(partyId),
        revision: 0,
        event: newEvent,
      });
    }
    insertRows(rows, new Date().toISOString());
    events += rows.length;
  }

  const start = options.startIndex ?? 0;
  const perTransaction = options.batteriesPerTransaction ?? 2000;
  const now = new Date();
  for (
    let chunkStart = start;
    chunkStart < start + options.batteries;
    chunkStart += perTransaction
  ) {
    const chunkEnd = Math.min(chunkStart + perTransaction, start + options.batteries);
    const rows: Row[] = [];
    for (let i = chunkStart; i < chunkEnd; i++) {
      const serial = serialOf(i);
      const streamId = batteryStreamId(serial);
      const deviceKey = options.deviceKeys[i % options.deviceKeys.length].publicKey;
      const holderKeys = rotate(options.holderKeys, i);
      batteryEvents(serial, deviceKey, holderKeys, options.keysPerBattery, now).forEach(
        (event, revision) => rows.push({ id: event.id, streamId, revision, event }),
      );
    }
    insertRows(rows, new Date().toISOString());
    events += rows.length;
    options.onProgress?.(chunkEnd - start);
    // Let timers (progress output) run between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  db.pragma('journal_mode = WAL');
  db.close();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const insertMs = Number(insertNs) / 1e6;
  return {
    events,
    batteries: options.batteries,
    ms,
    eventsPerSecond: events / (ms / 1000),
    insertMs,
    insertsPerSecond: events / (insertMs / 1000),
  };
}

/** A different choice of holder keys per battery, still distinct within it. */
function rotate<T>(items: T[], by: number): T[] {
  const offset = by % items.length;
  return offset === 0 ? items : [...items.slice(offset), ...items.slice(0, offset)];
}

/** One battery grown to a given stream length (see growBatteries). */
export interface BatterySpec {
  serial: string;
  /** Keys issued right after provisioning, kept active. */
  activeKeys: number;
  /** Stream length to reach; past the provisioning and the active keys, key issue/revoke pairs. */
  events: number;
}

/**
 * Creates each battery (provisioned, `activeKeys` keys) or, when its stream exists, folds it
 * through the decider and carries on: key issued then revoked, again, until the stream holds
 * `events` events. The active keys stay the same, so only the stream's length grows. Appends go
 * through the SqliteEventStore itself (one transaction per battery); the service must be stopped.
 */
export async function growBatteries(
  filename: string,
  specs: BatterySpec[],
  registerParties: boolean,
): Promise<{ events: number; ms: number }> {
  const started = Date.now();
  if (registerParties) await loadFleet(filename, fleetOptions(0));
  const store = new SqliteEventStore(filename);
  let added = 0;
  try {
    for (const spec of specs) {
      const streamId = batteryStreamId(spec.serial);
      const existing = await store.readStream(streamId);
      const now = new Date();
      const events: NewEvent[] = [];
      let state: BatteryState = batteryDecider.initialState();
      for (const recorded of existing)
        state = batteryDecider.evolve(state, toDomainEvent<BatteryEvent>(recorded));
      if (existing.length === 0) {
        const holderKeys = Array.from({ length: spec.activeKeys }, (_, k) =>
          keyPairAt(`${HOLDER_KEY_LABEL}-${spec.serial}`, k),
        );
        events.push(
          ...batteryEvents(
            spec.serial,
            keyPairAt(`bench-device-${spec.serial}`, 0).publicKey,
            holderKeys,
            spec.activeKeys,
            now,
          ),
        );
        for (const event of events)
          state = batteryDecider.evolve(state, toDomainEvent<BatteryEvent>(recordedOf(event)));
      }
      const decide = (command: BatteryCommand) => {
        for (const event of batteryDecider.decide(command, state)) {
          state = batteryDecider.evolve(state, event);
          events.push(toNewEvent(event, uuidv7()));
        }
      };
      const notAfter = new Date(now.getTime() + 365 * 86_400_000);
      while (existing.length + events.length < spec.events) {
        const n = existing.length + events.length;
        const keyId = `${spec.serial}-c${n}`;
        const context = commandContext(FLEET_ACTORS.owner, now, `bench-${spec.serial}-${n}`);
        decide({
          type: 'IssueKey',
          keyId,
          holder: { personId: 'churn', party: { partyId: 'workshop', kind: 'service-provider' } },
          publicKey: keyPairAt(`bench-churn-${spec.serial}`, n).publicKey,
          capabilities: ['charge'],
          notBefore: now,
          notAfter,
          context,
        });
        if (existing.length + events.length < spec.events)
          decide({ type: 'RevokeKey', keyId, reason: 'bench churn', context });
      }
      if (events.length === 0) continue;
      await store.appendToStream(
        streamId,
        events,
        existing.length === 0 ? 'no_stream' : existing.length - 1,
      );
      added += events.length;
    }
  } finally {
    await store.dispose();
  }
  return { events: added, ms: Date.now() - started };
}

/** A new event seen as the store would hand it back (for folding it before it is stored). */
function recordedOf(event: NewEvent): RecordedEvent {
  return {
    ...event,
    streamId: '',
    revision: 0,
    position: 0n,
    recordedAt: new Date(),
  };
}

/** Options of a load of no batteries: only the parties (for a store of hand-made batteries). */
function fleetOptions(batteries: number): FleetOptions {
  return { batteries, keysPerBattery: 0, registerParties: true, deviceKeys: [], holderKeys: [] };
}
