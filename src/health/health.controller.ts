import { Controller, Get, Inject, Logger } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '../auth/bearer-auth.guard';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import {
  judgeProjection,
  PROJECTION_HEALTH_OPTIONS,
  type ProjectionHealthOptions,
} from '../read-model/projection-health';
import { ProjectionRunner } from '../read-model/projection-runner';

type Head = { reached: true; head: bigint | undefined } | { reached: false };

/**
 * Up when the store answers and the read model keeps up with it (running, and not standing still
 * behind the store's head); reports how far it is. Anyone may ask, so the body names states and
 * times, never an error's text.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
    @Inject(PROJECTION_HEALTH_OPTIONS) private readonly options: ProjectionHealthOptions,
  ) {}

  @Get()
  @PublicRoute()
  @HealthCheck()
  async check() {
    const head = await this.storeHead();
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('eventStore');
        return head.reached
          ? indicator.up({ head: head.head?.toString() ?? null })
          : indicator.down({ problem: 'the event store does not answer' });
      },
      async () => {
        const indicator = this.indicators.check('projections');
        const status = this.projections.currentStatus();
        const behind = head.reached && head.head !== undefined && head.head > status.position;
        const verdict = judgeProjection(
          {
            running: status.running,
            lastErrorAt: status.lastErrorAt,
            advancedAt: status.advancedAt,
            oldestPendingAt: behind ? await this.oldestPendingAt() : undefined,
          },
          this.options,
        );
        const details = { position: status.position.toString() };
        return verdict.healthy
          ? indicator.up(details)
          : indicator.down({ ...details, problem: verdict.problem });
      },
    ]);
  }

  private async storeHead(): Promise<Head> {
    try {
      return { reached: true, head: await this.store.headPosition() };
    } catch (error) {
      this.logger.warn(`Event store head unreadable: ${(error as Error).message}`);
      return { reached: false };
    }
  }

  /** Unknown when the store cannot tell: the store's own indicator reports that. */
  private async oldestPendingAt(): Promise<Date | undefined> {
    try {
      return await this.projections.oldestPendingAt();
    } catch {
      return undefined;
    }
  }
}
