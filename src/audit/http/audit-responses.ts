import { z } from 'zod';
import { nameSchema } from '../../http/openapi/schema-names';
import { pageOf, recordedActorSchema } from '../../http/openapi/response-schemas';

/** One audit entry (src/audit/queries/audit-read-model.ts): an event with who, when, why, which request. */
export const auditEntrySchema = nameSchema(
  z.strictObject({
    position: z.string().regex(/^\d+$/),
    eventId: z.string(),
    streamId: z.string(),
    revision: z.number().int().min(0),
    type: z.string(),
    data: z.record(z.string(), z.unknown()).meta({ description: 'The event as recorded' }),
    actor: recordedActorSchema,
    occurredAt: z.string().meta({ format: 'date-time' }),
    reason: z.string().nullable(),
    requestId: z.string(),
    policyVersion: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'The policy version the decision was made under' }),
    leafIndex: z.number().int().min(0).nullable().meta({
      description:
        "The event's leaf in the audit log (GET /v1/log/proofs/inclusion proves it); null while the log has not recorded it",
    }),
  }),
  'AuditEntry',
);

export const auditPageSchema = nameSchema(pageOf(auditEntrySchema), 'AuditPage');
