import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '../../src/event-store/embedded/sqlite-event-store';
import {
  DEVICE_KEY_LABEL,
  DEVICE_KEY_POOL,
  growBatteries,
  HOLDER_KEY_LABEL,
  keyPool,
  loadFleet,
  type BatterySpec,
} from './fleet-loader';

/**
 * Work the bench runs in a child process built from the same sources as the service: the bulk
 * fleet load (through the service's own deciders), single batteries grown to a stream length,
 * and the raw-append baseline (the SqliteEventStore
 * directly, no HTTP). Prints one JSON line with the result.
 */
async function main(): Promise<void> {
  const [task, json] = process.argv.slice(2);
  const args = JSON.parse(json ?? '{}') as Record<string, unknown>;
  let result: unknown;
  if (task === 'load-fleet') {
    const deviceKeys = keyPool(DEVICE_KEY_LABEL, DEVICE_KEY_POOL);
    const holderKeys = keyPool(HOLDER_KEY_LABEL, Number(args.keysPerBattery) + 6);
    result = await loadFleet(String(args.file), {
      batteries: Number(args.batteries),
      keysPerBattery: Number(args.keysPerBattery),
      startIndex: Number(args.startIndex ?? 0),
      registerParties: Boolean(args.registerParties),
      deviceKeys,
      holderKeys,
    });
  } else if (task === 'grow-batteries') {
    result = await growBatteries(
      String(args.file),
      args.batteries as BatterySpec[],
      Boolean(args.registerParties),
    );
  } else if (task === 'raw-appends') {
    result = await rawAppends(String(args.file), Number(args.durationMs), args.stream === 'hot');
  } else {
    throw new Error(`Unknown task ${task}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * One event per append, each its own fsync'd transaction, as a command's append would be: to
 * distinct streams, or all to one hot stream (with the expected revision each time).
 */
async function rawAppends(
  file: string,
  durationMs: number,
  hot: boolean,
): Promise<{ appends: number; ms: number; perSecond: number; p50Ms: number; p99Ms: number }> {
  // Opened as the service opens its store: checkpoints on their own thread.
  const store = new SqliteEventStore(file, { backgroundCheckpoints: {} });
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  const deadline = Date.now() + durationMs;
  let revision: number | undefined;
  let i = 0;
  const data = {
    keyId: 'k',
    holder: { personId: 'tom', partyId: 'workshop' },
    capabilities: ['charge'],
    notBefore: new Date().toISOString(),
  };
  const metadata = {
    actor: { personId: 'alice', partyId: 'lessor-a', role: 'owner-admin' },
    occurredAt: new Date().toISOString(),
    requestId: 'raw',
    schema: 1,
  };
  while (Date.now() < deadline) {
    const t = process.hrtime.bigint();
    const event = {
      id: randomUUID(),
      type: 'KeyIssued',
      data: { ...data, keyId: `k-${i}` },
      metadata,
    };
    const result = await store.appendToStream(
      hot ? 'raw-hot' : `raw-${i}`,
      [event],
      hot ? (revision ?? 'no_stream') : 'no_stream',
    );
    revision = result.nextExpectedRevision;
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    i++;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await store.dispose();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { appends: i, ms, perSecond: i / (ms / 1000), p50Ms: at(0.5), p99Ms: at(0.99) };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
