import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { Actor } from '../../shared/domain/actor';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import { pageQuerySchema } from '../../http/common-schemas';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { pendingApprovalsSchema } from './battery-responses';
import { PendingApprovalsQuery } from '../queries/pending-approvals.query';

const pendingQuery = z.strictObject({ limit: pageQuerySchema.limit });

@ApiTags('proposals')
@Controller('v1/proposals')
export class PendingApprovalsController {
  constructor(private readonly queries: QueryBus) {}

  @Get('pending')
  @ApiContract({
    operationId: 'listPendingApprovals',
    summary:
      'What is waiting on me: open proposals and transfers I could approve, with the full request',
    security: 'bearer',
    responses: [
      { status: 200, description: 'OK', body: pendingApprovalsSchema, name: 'PendingApprovals' },
    ],
    problems: [400, 401, 429, 503],
  })
  pending(
    @QueryParams(new ZodValidation(pendingQuery, 'query')) query: z.infer<typeof pendingQuery>,
    @CurrentActor() actor: Actor,
  ) {
    return this.queries.execute(new PendingApprovalsQuery(actor, new Date(), query.limit));
  }
}
