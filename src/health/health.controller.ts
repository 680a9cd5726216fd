import {
  Controller,
  Get,
  Inject,
  Logger,
  Optional,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { ApiContract, type ContractResponse } from '../http/openapi/api-contract.decorator';
import { livenessSchema, readinessSchema } from './health-responses';
import type { FastifyReply } from 'fastify';
import { PublicRoute } from '../auth/bearer-auth.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import {
  judgeProjection,
  PROJECTION_HEALTH_OPTIONS,
  type ProjectionHealthOptions,
} from '../read-model/projection-health';
import { ProjectionRunner } from '../read-model/projection-runner';
import { READ_MODEL_REGISTRY, type ReadModelRegistry } from '../read-model/read-model-registry';
import { BUNDLE_SIGNER, type BundleSigner } from '../signing/bundle-signer.port';
import { HISTORY_INTEGRITY, type HistoryIntegrity } from '../signing/history-integrity';
import { BUNDLE_TRUST, type BundleTrust } from '../signing/trust/bundle-trust';
import {
  type Backlog,
  DEFAULT_READINESS_OPTIONS,
  judgeCatchUp,
  READINESS_OPTIONS,
  type ReadinessOptions,
  REASONS,
  within,
} from './readiness';

const READY: ContractResponse = {
  status: 200,
  description: 'Ready: every check is up',
  body: readinessSchema,
};
const NOT_READY: ContractResponse = {
  status: 503,
  description: 'Not ready: the checks that are down say why (a fixed reason, never an error text)',
  body: readinessSchema,
};

/** What one readiness probe learnt from the store, for the read model at `position`. */
type StoreFacts =
  | { reached: false; position: bigint }
  | { reached: true; position: bigint; head: bigint | undefined; backlog: Backlog | undefined };

/**
 * The probes. `/health/live`: the process answers (never asks the store; an orchestrator restarts
 * the instance when it fails). `/health/ready` (and `/health`, its alias): the instance can serve —
 * the store answers, the read model runs, is not stalled and is caught up within the bounds, and
 * the signing key is delegated now (a load balancer sends no traffic while it fails). Anyone may
 * ask, so each check says up or down with a fixed reason and numbers, never an error's text.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');
  private readonly readiness: ReadinessOptions;
  /** The audit log's tamper-check verdict, when an audit log runs. */
  private readonly integrity: HistoryIntegrity | undefined;
  /** One store look-up at a time, shared by probes that arrive together. */
  private asking: Promise<StoreFacts> | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
    @Inject(PROJECTION_HEALTH_OPTIONS) private readonly options: ProjectionHealthOptions,
    // The application provides all of these; a test module that checks only the projections may not.
    @Optional() @Inject(READINESS_OPTIONS) readiness?: ReadinessOptions,
    @Optional() @Inject(READ_MODEL_REGISTRY) private readonly registry?: ReadModelRegistry,
    @Optional() @Inject(BUNDLE_SIGNER) private readonly signer?: BundleSigner,
    @Optional() @Inject(BUNDLE_TRUST) private readonly trust?: BundleTrust,
    @Optional() @Inject(HISTORY_INTEGRITY) integrity?: HistoryIntegrity,
    @Optional() @Inject(APP_CONFIG) config?: AppConfig,
  ) {
    this.readiness = readiness ?? DEFAULT_READINESS_OPTIONS;
    // Without the audit log nothing ever checks the history: an `auditLog` check would say
    // "checking" for good, so there is none.
    this.integrity = config?.AUDIT_LOG_ENABLED === false ? undefined : integrity;
  }

  @Get('live')
  @PublicRoute()
  @ApiContract({
    operationId: 'getLiveness',
    summary: 'Liveness: 200 whenever the process answers; never asks the store',
    security: 'public',
    responses: [{ status: 200, description: 'The process answers', body: livenessSchema }],
    problems: [],
  })
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  @PublicRoute()
  @HealthCheck()
  @ApiContract({
    operationId: 'getReadiness',
    summary: 'Readiness: store, read model caught up, projection, signing key',
    security: 'public',
    responses: [READY, NOT_READY],
    problems: [],
  })
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.check(reply);
  }

  @Get()
  @PublicRoute()
  @HealthCheck()
  @ApiContract({
    operationId: 'getHealth',
    summary: 'The same as /health/ready',
    security: 'public',
    responses: [READY, NOT_READY],
    problems: [],
  })
  readyAlias(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.check(reply);
  }

  /**
   * Terminus answers a failed check by throwing; the body it carries (every check, up or down,
   * with its reason) is what a probe's caller needs, so it is sent as the 503's body here rather
   * than turned into a problem document that would keep only "Service Unavailable".
   */
  private async check(reply: FastifyReply) {
    try {
      return await this.runChecks();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      void reply.status(503);
      return error.getResponse();
    }
  }

  private async runChecks() {
    const facts = await this.storeFacts();
    const now = this.options.now();
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('eventStore');
        return facts.reached
          ? indicator.up({ head: facts.head?.toString() ?? null })
          : indicator.down({ reason: REASONS.storeUnreachable });
      },
      async () => {
        const indicator = this.indicators.check('projections');
        const status = this.projections.currentStatus();
        const verdict = judgeProjection(
          {
            running: status.running,
            lastErrorAt: status.lastErrorAt,
            advancedAt: status.advancedAt,
            oldestPendingAt: facts.reached ? facts.backlog?.oldestAt : undefined,
          },
          this.options,
        );
        const details = { position: status.position.toString() };
        if (verdict.healthy) return indicator.up(details);
        const reason = status.running ? REASONS.projectionStalled : REASONS.projectionStopped;
        // `problem` names states and times only (see judgeProjection), never an error's text.
        return indicator.down({ ...details, reason, problem: verdict.problem });
      },
      async () => {
        const indicator = this.indicators.check('catchUp');
        const position = facts.position.toString();
        if (!facts.reached) return indicator.down({ reason: REASONS.storeUnreachable, position });
        const head = facts.head?.toString() ?? null;
        if (!facts.backlog)
          return indicator.down({ reason: REASONS.backlogUnknown, position, head });
        const verdict = judgeCatchUp(facts.backlog, this.readiness, now);
        const details = {
          position,
          head,
          behindEvents: verdict.behindEvents,
          behindSeconds: verdict.behindSeconds,
        };
        return verdict.caughtUp
          ? indicator.up(details)
          : indicator.down({ reason: REASONS.catchingUp, ...details });
      },
      ...(this.signer && this.trust ? [async () => this.checkSigner(now)] : []),
      ...(this.integrity ? [async () => this.checkHistory()] : []),
    ]);
  }

  /** Cheap: the key is loaded and the delegation devices verify it through covers now. */
  private checkSigner(now: Date) {
    const indicator = this.indicators.check('signer');
    const signer = this.signer as BundleSigner;
    const seconds = Math.floor(now.getTime() / 1000);
    const delegated = (this.trust as BundleTrust)
      .keysValidAt(seconds)
      .some((key) => key.kid === signer.keyId);
    return delegated
      ? indicator.up({ keyId: signer.keyId })
      : indicator.down({ reason: REASONS.keyNotDelegated, keyId: signer.keyId });
  }

  /**
   * The audit log's tamper check: down, naming the first rewritten leaf and its store position,
   * once the stored history differs from what the log recorded and signed (docs/audit-log.md §6).
   */
  private checkHistory() {
    const indicator = this.indicators.check('auditLog');
    const status = (this.integrity as HistoryIntegrity).current();
    if (status.state === 'unverified') return indicator.up({ state: 'checking' });
    if (status.state === 'intact')
      return indicator.up({
        state: 'intact',
        treeSize: status.treeSize,
        checkedAt: status.checkedAt,
      });
    const { kind, leafIndex, position, detectedAt } = status.rewrite;
    return indicator.down({
      reason: 'history-rewritten',
      kind,
      leafIndex,
      position: position ?? null,
      detectedAt,
    });
  }

  private storeFacts(): Promise<StoreFacts> {
    this.asking ??= this.askStore().finally(() => (this.asking = undefined));
    return this.asking;
  }

  /**
   * The store's head and, when the read model is behind it, what waits: at most maxLagEvents + 1
   * events of this service's streams are counted (no body read), so a probe costs little however
   * far behind it is.
   */
  private async askStore(): Promise<StoreFacts> {
    const position = this.projections.currentStatus().position;
    const timeoutMs = this.readiness.storeTimeoutMs;
    let head: bigint | undefined;
    try {
      head = await within(this.store.headPosition(), timeoutMs);
    } catch (error) {
      this.logger.warn(`Event store head unreadable: ${(error as Error).message}`);
      return { reached: false, position };
    }
    if (head === undefined || head <= position)
      return { reached: true, position, head, backlog: { events: 0, oldestAt: undefined } };
    try {
      const backlog = await within(
        this.store.backlogAfter({
          after: position,
          maxCount: this.readiness.maxLagEvents + 1,
          streamPrefixes: this.registry?.streamPrefixes,
        }),
        timeoutMs,
      );
      return { reached: true, position, head, backlog };
    } catch (error) {
      this.logger.warn(`Events after the read model unreadable: ${(error as Error).message}`);
      return { reached: true, position, head, backlog: undefined };
    }
  }
}
