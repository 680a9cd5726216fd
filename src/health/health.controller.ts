import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '../auth/bearer-auth.guard';
import { EVENT_STORE, type EventStore } from '../event-store/event-store.port';
import { ProjectionRunner } from '../read-model/projection-runner';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionRunner,
  ) {}

  /** Up when the store answers and the read model's subscription runs; reports how far behind it is. */
  @Get()
  @PublicRoute()
  @HealthCheck()
  check() {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('eventStore');
        try {
          const head = await this.store.headPosition();
          return indicator.up({ head: head?.toString() ?? null });
        } catch (error) {
          return indicator.down({ error: (error as Error).message });
        }
      },
      async () => {
        const indicator = this.indicators.check('projections');
        const status = this.projections.currentStatus();
        const details = { position: status.position.toString(), lastError: status.lastError ?? null };
        return status.running ? indicator.up(details) : indicator.down(details);
      },
    ]);
  }
}
