import { Controller, Get, Query as QueryParams } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { Actor } from '../../shared/domain/actor';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import {
  pageQuerySchema,
  partyIdSchema,
  personIdSchema,
  positionSchema,
} from '../../http/common-schemas';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { LIST_PROBLEMS } from '../../http/openapi/contract-presets';
import { auditPageSchema } from './audit-responses';
import { AuditQuery } from '../queries/audit.query';

const auditQuery = z
  .strictObject({
    party: partyIdSchema.optional(),
    person: personIdSchema.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: pageQuerySchema.limit,
    cursor: positionSchema.optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), {
    message: 'from must be before to',
  });

@ApiTags('audit')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiContract({
    operationId: 'queryAudit',
    summary:
      'Who changed what, across batteries: by acting party, person and time range, paged in global order',
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: auditPageSchema }],
    problems: LIST_PROBLEMS,
  })
  query(
    @QueryParams(new ZodValidation(auditQuery, 'query')) query: z.infer<typeof auditQuery>,
    @CurrentActor() actor: Actor,
  ) {
    const filter = {
      ...(query.party ? { actorPartyId: query.party } : {}),
      ...(query.person ? { actorPersonId: query.person } : {}),
      ...(query.from ? { from: new Date(query.from).toISOString() } : {}),
      ...(query.to ? { to: new Date(query.to).toISOString() } : {}),
    };
    return this.queries.execute(new AuditQuery(filter, query.cursor ?? 0n, query.limit, actor));
  }
}
