import { Controller, Get, Inject, Query, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { CurrentActor } from '../../auth/bearer-auth.guard';
import { partyIdSchema, personIdSchema, serialSchema } from '../../http/common-schemas';
import { ApiContract } from '../../http/openapi/api-contract.decorator';
import { ZodValidation } from '../../http/zod-validation';
import type { Actor } from '../../shared/domain/actor';
import { AuditExport } from '../application/audit-export';

const exportQuery = z
  .strictObject({
    battery: serialSchema.optional(),
    party: partyIdSchema.optional(),
    person: personIdSchema.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    previousSize: z
      .string()
      .regex(/^[1-9]\d{0,14}$/, 'must be a positive integer')
      .transform(Number)
      .optional(),
  })
  .refine((q) => q.battery !== undefined || q.party !== undefined || q.person !== undefined, {
    message: 'name what to export: battery, party or person',
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), {
    message: 'from must be before to',
    path: ['from'],
  });

/** GET /v1/audit/export (docs/audit-log.md §5): the audit view's events, each with its proof. */
@ApiTags('audit-log')
@Controller('v1/audit/export')
export class AuditExportController {
  constructor(@Inject(AuditExport) private readonly exports: AuditExport) {}

  @Get()
  @ApiContract({
    operationId: 'exportAudit',
    summary:
      "A battery's history, or a party's or person's acts, as JSON lines with inclusion proofs against one signed checkpoint (verify offline with npm run audit-verify)",
    security: 'bearer',
    responses: [
      {
        status: 200,
        description:
          'JSON lines: a header with the checkpoint (and a consistency proof from previousSize), then one line per event with its leaf text and inclusion proof',
        body: 'text',
        mediaType: 'application/x-ndjson',
      },
    ],
    problems: [400, 401, 403, 404, 409, 422, 429, 503],
  })
  export(
    @Query(new ZodValidation(exportQuery, 'query')) query: z.infer<typeof exportQuery>,
    @CurrentActor() actor: Actor,
  ): StreamableFile {
    const lines = this.exports.open(
      {
        ...(query.battery !== undefined ? { serial: query.battery } : {}),
        ...(query.party !== undefined ? { partyId: query.party } : {}),
        ...(query.person !== undefined ? { personId: query.person } : {}),
        ...(query.from !== undefined ? { from: new Date(query.from).toISOString() } : {}),
        ...(query.to !== undefined ? { to: new Date(query.to).toISOString() } : {}),
        ...(query.previousSize !== undefined ? { previousSize: query.previousSize } : {}),
      },
      actor,
    );
    return new StreamableFile(Readable.from(lines), {
      type: 'application/x-ndjson; charset=utf-8',
      disposition: 'attachment; filename="audit-export.jsonl"',
    });
  }
}
