import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentActor } from '../auth/bearer-auth.guard';
import { ProblemError } from '../http/problem-details';
import type { Actor } from '../shared/domain/actor';
import { hasOversight } from '../shared/domain/oversight';
import { ServiceMetrics } from './service-metrics';

/**
 * `GET /metrics` on the API port, for platforms whose scraper cannot reach a second port
 * (METRICS_ON_API_PORT=true). The figures cover every tenant, so only the platform's own
 * oversight may read them: a Bearer token of the platform party's platform-admin or auditor
 * (checked by the global guard, then here); a tenant's token gets 403. Not part of the API
 * contract, so it is left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  async scrape(@CurrentActor() actor: Actor, @Res() reply: FastifyReply): Promise<void> {
    if (!hasOversight(actor))
      throw new ProblemError(
        403,
        'metrics-forbidden',
        "Metrics cover every tenant: only the platform party's platform-admins and auditors read them",
      );
    const { contentType, body } = await this.metrics.scrape();
    await reply
      .status(200)
      .header('content-type', contentType)
      .header('cache-control', 'no-store')
      .send(body);
  }
}
