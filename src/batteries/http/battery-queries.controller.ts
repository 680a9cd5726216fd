import { Controller, Get, Param, Query as QueryParams, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../../shared/domain/actor';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import {
  pageQuerySchema,
  partyIdSchema,
  positionSchema,
  serialParams,
} from '../../http/common-schemas';
import { ZodValidation } from '../../http/zod-validation';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { BATTERY_READ_PROBLEMS, LIST_PROBLEMS } from '../../http/openapi/contract-presets';
import { auditPageSchema } from '../../audit/http/audit-responses';
import { batteryPageSchema, batterySchema } from './battery-responses';
import { AuditQuery } from '../../audit/queries/audit.query';
import { batteryStreamId } from '../domain/battery-events';
import { batteryView } from '../queries/battery-view';
import { GetBatteryQuery } from '../queries/get-battery.query';
import { ListBatteriesQuery, type BatteryListFilter } from '../queries/list-batteries.query';

const listQuery = z
  .strictObject({
    owner: partyIdSchema.optional(),
    operator: partyIdSchema.optional(),
    ...pageQuerySchema,
  })
  .refine((q) => !(q.owner && q.operator), { message: 'filter by owner or by operator, not both' });
const historyQuery = z.strictObject({
  limit: pageQuerySchema.limit,
  cursor: positionSchema.optional(),
});

@ApiTags('batteries')
@Controller('v1/batteries')
export class BatteryQueriesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiContract({
    operationId: 'listBatteries',
    summary: 'Batteries by owner or operator, paged by serial',
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: batteryPageSchema }],
    problems: LIST_PROBLEMS,
  })
  async list(
    @QueryParams(new ZodValidation(listQuery, 'query')) query: z.infer<typeof listQuery>,
    @CurrentActor() actor: Actor,
  ) {
    const filter: BatteryListFilter = query.owner
      ? { ownerId: query.owner }
      : query.operator
        ? { operatorId: query.operator }
        : {};
    const page = await this.queries.execute(
      new ListBatteriesQuery(filter, query.cursor, query.limit, actor),
    );
    return { items: page.items.map(batteryView), nextCursor: page.nextCursor };
  }

  @Get(':serial')
  @ApiContract({
    operationId: 'getBattery',
    summary: "A battery's current state; its ETag is the revision to send as If-Match",
    security: 'bearer',
    responses: [
      {
        status: 200,
        description: 'The battery',
        body: batterySchema,
        headers: { ETag: { description: 'The revision, quoted: send it as If-Match' } },
      },
    ],
    problems: BATTERY_READ_PROBLEMS,
  })
  async get(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: z.infer<typeof serialParams>,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const battery = await this.queries.execute(new GetBatteryQuery(serial, actor));
    void reply.header('etag', `"${battery.revision}"`);
    return batteryView(battery);
  }

  @Get(':serial/history')
  @ApiContract({
    operationId: 'getBatteryHistory',
    summary:
      "A battery's full history: every event with actor, time, reason, request id and position",
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: auditPageSchema }],
    problems: BATTERY_READ_PROBLEMS,
  })
  async history(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: z.infer<typeof serialParams>,
    @QueryParams(new ZodValidation(historyQuery, 'query')) query: z.infer<typeof historyQuery>,
    @CurrentActor() actor: Actor,
  ) {
    await this.queries.execute(new GetBatteryQuery(serial, actor));
    return this.queries.execute(
      new AuditQuery(
        { streamId: batteryStreamId(serial) },
        query.cursor ?? 0n,
        query.limit,
        actor,
        true,
      ),
    );
  }
}
