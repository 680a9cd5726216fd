import { Controller, Get, Param, Query as QueryParams } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
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
import {
  batterySyncStatusSchema,
  exposurePageSchema,
  syncStatusPageSchema,
} from './device-responses';
import { AuditQuery } from '../../audit/queries/audit.query';
import { GetBatteryQuery } from '../../batteries/queries/get-battery.query';
import { deviceStreamId } from '../domain/device-events';
import type { FleetFilter } from '../queries/device-sync-read-model';
import { GetSyncStatusQuery } from '../queries/get-sync-status.query';
import { ListExposureQuery } from '../queries/list-exposure.query';
import { decodeExposureCursor, EXPOSURE_CURSOR_MAX_LENGTH } from '../queries/exposure-cursor';
import { ListLaggingDevicesQuery } from '../queries/list-lagging-devices.query';

const fleetQuery = z
  .strictObject({
    owner: partyIdSchema.optional(),
    operator: partyIdSchema.optional(),
    ...pageQuerySchema,
  })
  .refine((q) => !(q.owner && q.operator), { message: 'filter by owner or by operator, not both' });
const exposureQuery = z
  .strictObject({
    owner: partyIdSchema.optional(),
    operator: partyIdSchema.optional(),
    kid: z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a key thumbprint (the bundle kid)')
      .optional(),
    limit: pageQuerySchema.limit,
    // The whole sort key (revocation time, serial, key id): longer than other lists' cursors.
    cursor: z
      .string()
      .min(1)
      .max(EXPOSURE_CURSOR_MAX_LENGTH)
      .refine((cursor) => decodeExposureCursor(cursor) !== undefined, {
        message: 'must be a cursor this list returned',
      })
      .optional(),
  })
  .refine((q) => !(q.owner && q.operator), { message: 'filter by owner or by operator, not both' });
const historyQuery = z.strictObject({
  limit: pageQuerySchema.limit,
  cursor: positionSchema.optional(),
});

const fleetFilter = (q: { owner?: string; operator?: string }): FleetFilter =>
  q.owner ? { ownerId: q.owner } : q.operator ? { operatorId: q.operator } : {};

/**
 * For people: which batteries run the access state the service serves, which lag, and which
 * still honour a key that has been revoked ("exposure") and since when.
 */
@ApiTags('device sync')
@Controller('v1')
export class SyncStatusController {
  constructor(private readonly queries: QueryBus) {}

  @Get('devices/:serial/sync')
  @ApiContract({
    operationId: 'getSyncStatus',
    summary:
      "A battery's sync state: the version served now, the one its device applied and when, and revoked keys still live on it",
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: batterySyncStatusSchema }],
    problems: BATTERY_READ_PROBLEMS,
  })
  status(
    @Param(new ZodValidation(serialParams, 'path')) { serial }: z.infer<typeof serialParams>,
    @CurrentActor() actor: Actor,
  ) {
    return this.queries.execute(new GetSyncStatusQuery(serial, actor, new Date()));
  }

  @Get('devices/:serial/history')
  @ApiContract({
    operationId: 'getDeviceHistory',
    summary: "The device's acknowledgements, in order, with the audit facts of each",
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
        { streamId: deviceStreamId(serial) },
        query.cursor ?? 0n,
        query.limit,
        actor,
        true,
      ),
    );
  }

  @Get('fleet/lagging')
  @ApiContract({
    operationId: 'listLaggingDevices',
    summary:
      'Batteries whose device has not applied the bundle version served now, paged by serial',
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: syncStatusPageSchema }],
    problems: LIST_PROBLEMS,
  })
  lagging(
    @QueryParams(new ZodValidation(fleetQuery, 'query')) query: z.infer<typeof fleetQuery>,
    @CurrentActor() actor: Actor,
  ) {
    return this.queries.execute(
      new ListLaggingDevicesQuery(fleetFilter(query), query.cursor, query.limit, actor),
    );
  }

  @Get('fleet/exposure')
  @ApiContract({
    operationId: 'listExposure',
    summary:
      'Revoked keys still listed in the bundle a device applied (or may hold: never acknowledged), with since when, oldest revocation first (then by serial and key id); for the fleet, or for one key (kid)',
    security: 'bearer',
    responses: [{ status: 200, description: 'OK', body: exposurePageSchema }],
    problems: LIST_PROBLEMS,
  })
  exposure(
    @QueryParams(new ZodValidation(exposureQuery, 'query')) query: z.infer<typeof exposureQuery>,
    @CurrentActor() actor: Actor,
  ) {
    return this.queries.execute(
      new ListExposureQuery(
        fleetFilter(query),
        query.kid,
        query.cursor,
        query.limit,
        actor,
        new Date(),
      ),
    );
  }
}
