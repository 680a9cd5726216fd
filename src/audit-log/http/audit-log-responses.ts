import { z } from 'zod';
import { nameSchema } from '../../http/openapi/schema-names';
import { cosignatureBody } from './log-query-schemas';

/** Response shapes of the audit log's routes (docs/audit-log.md §4), for the OpenAPI contract. */

nameSchema(cosignatureBody, 'CosignatureRequest');

const base64 = z.string().meta({ description: 'Base64 (RFC 4648 §4)' });

export const consistencyProofSchema = nameSchema(
  z.strictObject({
    from: z.number().int().min(1),
    to: z.number().int().min(1),
    proof: z.array(base64).meta({ description: 'RFC 9162 §2.1.4 consistency proof' }),
  }),
  'ConsistencyProof',
);

export const inclusionProofSchema = nameSchema(
  z.strictObject({
    leafIndex: z.number().int().min(0),
    treeSize: z.number().int().min(1),
    leafHash: base64,
    rootHash: base64,
    proof: z.array(base64).meta({ description: 'RFC 9162 §2.1.3 inclusion proof' }),
  }),
  'InclusionProof',
);

export const logEntriesSchema = nameSchema(
  z.strictObject({
    entries: z.array(
      z.strictObject({
        leafIndex: z.number().int().min(0),
        leafHash: base64,
        leaf: z
          .string()
          .optional()
          .meta({ description: 'The leaf text, only where the audit view shows the event' }),
      }),
    ),
  }),
  'LogEntries',
);
