import {
  Inject,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { READ_MODEL_DB } from '../read-model/read-model.database';
import { READ_MODEL_REGISTRY, type ReadModelRegistry } from '../read-model/read-model-registry';
import { ReadModelModule } from '../read-model/read-model.module';
import { HISTORY_INTEGRITY, type HistoryIntegrity } from '../signing/history-integrity';
import { SigningModule } from '../signing/signing.module';
import { AuditLogRuntime } from './application/audit-log-runtime';
import { AuditLogService } from './application/audit-log.service';
import { COSIGNATURE_V1_TYPE, parseVerifierKey, type VerifierKey } from './domain/signed-note';
import { AuditLogController } from './http/audit-log.controller';
import { AuditExportController } from './http/audit-export.controller';
import { AuditExport } from './application/audit-export';
import { AUDIT_READ_MODEL, type AuditReadModel } from '../audit/queries/audit-read-model';
import { BATTERY_READ_MODEL, type BatteryReadModel } from '../batteries/queries/battery-read-model';
import { HistoryVerifier } from './integrity/history-verifier';
import { CheckpointStore } from './persistence/checkpoint-store';
import { SqliteMerkleTree } from './persistence/sqlite-merkle-tree';
import { AuditLogProjection } from './projections/audit-log.projection';
import { AUDIT_LOG_SCHEMA } from './projections/audit-log.schema';
import { AUDIT_LOG_QUERIES, AuditLogQueries } from './queries/audit-log-queries';
import { LEAF_INDEX_LOOKUP } from '../shared/infrastructure/leaf-index-lookup';
import { Checkpointer } from './signing/checkpointer';
import { AUDIT_LOG_KEY_FILE, LogKey } from './signing/log-key';

/** The witnesses of AUDIT_LOG_WITNESS_KEYS, each key checked (type 0x04, key ID) at start. */
export function trustedWitnesses(config: AppConfig): VerifierKey[] {
  return config.AUDIT_LOG_WITNESS_KEYS.map((text) => {
    const parsed = parseVerifierKey(text, COSIGNATURE_V1_TYPE);
    if ('error' in parsed)
      throw new Error(`Invalid configuration: AUDIT_LOG_WITNESS_KEYS: ${text}: ${parsed.error}`);
    return parsed.key;
  });
}

/**
 * The audit log (docs/audit-log.md): a Merkle tree over every event of the service's streams,
 * kept as a read-model projection; checkpoints signed with the log key; proofs, entries and
 * cosignatures over HTTP; the tamper check that stops all signing when the history was rewritten.
 * AUDIT_LOG_QUERIES (which leaf an event is) is global, as every read-model feature's providers are.
 */
@Module({
  imports: [
    SigningModule,
    ReadModelModule.forFeature('audit-log', {
      schema: AUDIT_LOG_SCHEMA,
      providers: [
        {
          provide: SqliteMerkleTree,
          inject: [READ_MODEL_DB],
          useFactory: (db: Database.Database) => new SqliteMerkleTree(db),
        },
        {
          provide: AuditLogProjection,
          inject: [SqliteMerkleTree],
          useFactory: (tree: SqliteMerkleTree) => new AuditLogProjection(tree),
        },
        {
          provide: AUDIT_LOG_QUERIES,
          inject: [SqliteMerkleTree, AuditLogProjection],
          useFactory: (tree: SqliteMerkleTree, projection: AuditLogProjection) =>
            new AuditLogQueries(tree, projection),
        },
        // The port the history, audit and bundle views name leaves through (they cannot import the log).
        { provide: LEAF_INDEX_LOOKUP, useExisting: AUDIT_LOG_QUERIES },
      ],
      inject: [AuditLogProjection],
      projections: (_db, projection: AuditLogProjection) => [projection],
    }),
  ],
  controllers: [AuditLogController, AuditExportController],
  providers: [
    {
      provide: AuditExport,
      inject: [
        AUDIT_READ_MODEL,
        BATTERY_READ_MODEL,
        AuditLogService,
        CheckpointStore,
        AUDIT_LOG_QUERIES,
        EVENT_STORE,
      ],
      useFactory: (
        audit: AuditReadModel,
        batteries: BatteryReadModel,
        log: AuditLogService,
        checkpoints: CheckpointStore,
        tree: AuditLogQueries,
        store: EventStore,
      ) => new AuditExport(audit, batteries, log, checkpoints, tree, store),
    },
    {
      provide: CheckpointStore,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new CheckpointStore(join(config.DATA_DIR, 'audit-log.db')),
    },
    {
      provide: LogKey,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        LogKey.readOrCreate(join(config.DATA_DIR, AUDIT_LOG_KEY_FILE), config.AUDIT_LOG_ORIGIN),
    },
    {
      provide: AuditLogService,
      inject: [
        AUDIT_LOG_QUERIES,
        CheckpointStore,
        LogKey,
        APP_CONFIG,
        EVENT_STORE,
        READ_MODEL_REGISTRY,
      ],
      useFactory: (
        tree: AuditLogQueries,
        checkpoints: CheckpointStore,
        key: LogKey,
        config: AppConfig,
        store: EventStore,
        registry: ReadModelRegistry,
      ) =>
        new AuditLogService(
          tree,
          checkpoints,
          key,
          trustedWitnesses(config),
          store,
          () => registry.streamPrefixes,
        ),
    },
    {
      provide: AuditLogRuntime,
      inject: [
        AUDIT_LOG_QUERIES,
        CheckpointStore,
        LogKey,
        HISTORY_INTEGRITY,
        APP_CONFIG,
        EVENT_STORE,
        READ_MODEL_REGISTRY,
      ],
      useFactory: (
        tree: AuditLogQueries,
        checkpoints: CheckpointStore,
        key: LogKey,
        integrity: HistoryIntegrity,
        config: AppConfig,
        store: EventStore,
        registry: ReadModelRegistry,
      ) => {
        const logger = new Logger('AuditLog');
        let runtime: AuditLogRuntime | undefined = undefined;
        const verifier = new HistoryVerifier(
          store,
          () => registry.streamPrefixes,
          tree,
          checkpoints,
          integrity,
          { stopping: () => runtime?.isStopped() ?? false },
        );
        const checkpointer = new Checkpointer(tree, checkpoints, key, integrity, {
          origin: config.AUDIT_LOG_ORIGIN,
          onDivergence: () => void runtime?.check(),
        });
        runtime = new AuditLogRuntime(verifier, checkpointer, integrity, {
          checkpointIntervalMs: config.AUDIT_LOG_CHECKPOINT_INTERVAL_MS,
          verifyIntervalMs: config.AUDIT_LOG_VERIFY_INTERVAL_SECONDS * 1000,
          logger,
        });
        return runtime;
      },
    },
  ],
})
export class AuditLogModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runtime: AuditLogRuntime,
    @Inject(CheckpointStore) private readonly checkpoints: CheckpointStore,
  ) {}

  onApplicationBootstrap(): void {
    this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
    this.checkpoints.close();
  }
}
