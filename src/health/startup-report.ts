import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { PolicyProvider } from '../policy/application/policy-provider';
import { ProjectionRunner } from '../read-model/projection-runner';
import { BUNDLE_SIGNER, type BundleSigner } from '../signing/bundle-signer.port';
import { STORE_CHECK_TIMEOUT_MS, within } from './readiness';

/**
 * Where the events live, without credentials: the embedded file, or the EventStoreDB/KurrentDB
 * hosts of the connection string (user, password and query options left out, but TLS on or off).
 */
export function describeStore(config: AppConfig): string {
  if (config.EVENT_STORE === 'embedded')
    return `embedded ${resolve(join(config.DATA_DIR, 'events.db'))}`;
  const match = /^([a-z+]+):\/\/(?:[^@/?]*@)?([^/?]*)(?:[/?].*)?$/i.exec(
    config.EVENTSTORE_CONNECTION_STRING ?? '',
  );
  if (!match) return 'EventStoreDB (connection string not shown)';
  const tls = /[?&]tls=false\b/i.test(config.EVENTSTORE_CONNECTION_STRING ?? '') ? 'off' : 'on';
  return `EventStoreDB ${match[1].toLowerCase()}://${match[2]} (TLS ${tls})`;
}

/** Which signer holds the bundle key, named by its labels and key id, never by PIN or path. */
export function describeSigner(config: AppConfig, signer: BundleSigner): string {
  return config.SIGNER === 'pkcs11'
    ? `pkcs11 token ${config.PKCS11_TOKEN_LABEL} key ${config.PKCS11_KEY_LABEL} (kid ${signer.keyId})`
    : `local (kid ${signer.keyId})`;
}

/**
 * The one info line a start writes, once the port is open (createApp runs it from Fastify's
 * onListen hook, so a listen that fails never claims a start): where to reach the service, which
 * store, signer, data directory and policy version it runs with, and where its read model stands.
 */
export async function reportStartup(
  app: NestFastifyApplication,
  config: AppConfig,
  logger = new Logger('Startup'),
): Promise<void> {
  const address = app.getHttpServer().address() as AddressInfo | null;
  const bound = address?.address ?? config.HOST;
  const url = `http://${bound.includes(':') ? `[${bound}]` : bound}:${address?.port ?? config.PORT}`;
  const store = describeStore(config);
  const signer = describeSigner(config, app.get<BundleSigner>(BUNDLE_SIGNER));
  const dataDir = resolve(config.DATA_DIR);
  const position = app.get(ProjectionRunner).currentStatus().position;
  // Both from the store, at once; an unreachable store makes them unknown, not the start fail.
  const [policyVersion, head] = await Promise.all([
    within(app.get(PolicyProvider).current(), STORE_CHECK_TIMEOUT_MS).then(
      (policy) => policy.version,
      () => undefined,
    ),
    within(app.get<EventStore>(EVENT_STORE).headPosition(), STORE_CHECK_TIMEOUT_MS).then(
      (value) => value ?? 0n,
      () => undefined,
    ),
  ]);
  const readModel =
    head === undefined
      ? `${position} (store head unknown)`
      : position >= head
        ? `${position} (caught up)`
        : `${position} of ${head} (catching up)`;
  logger.log(
    {
      url,
      store,
      signer,
      dataDir,
      policyVersion: policyVersion ?? null,
      readModelPosition: position.toString(),
      storeHead: head?.toString() ?? null,
    },
    `Listening on ${url} · store ${store} · signer ${signer} · DATA_DIR ${dataDir} · policy ${
      policyVersion === undefined ? 'unknown (store unreachable)' : `v${policyVersion}`
    } · read model at ${readModel}`,
  );
}
