import { z } from 'zod';
import { nameSchema } from '../../http/openapi/schema-names';
import { pageOf } from '../../http/openapi/response-schemas';
import { acknowledgementRequest } from './device-requests';

nameSchema(acknowledgementRequest, 'AcknowledgementRequest');

const timestamp = z.string().meta({ format: 'date-time' });

const appliedBundleSchema = nameSchema(
  z
    .strictObject({ ver: z.number().int(), iat: z.number().int(), at: timestamp })
    .meta({ description: 'The bundle the device last acknowledged, and when' }),
  'AppliedBundle',
);

/** What a battery pulls (src/bundles/bundle-envelope.ts). */
export const bundleEnvelopeSchema = nameSchema(
  z.strictObject({
    fmt: z
      .literal(1)
      .meta({ description: 'Envelope format; a device refuses one it does not know' }),
    bundle: z.string().meta({
      description: 'The signed bundle: a compact JWS, or that JWS encrypted to the device (JWE)',
    }),
    delegation: z
      .string()
      .meta({ description: 'The root’s delegation naming the online keys that sign bundles' }),
    rootChain: z
      .array(z.string())
      .meta({ description: 'Root rotation statements, oldest first; empty under the first root' }),
  }),
  'BundleEnvelope',
);

/** A battery's sync state (src/devices/queries/device-sync-read-model.ts). */
export const syncStatusSchema = nameSchema(
  z.strictObject({
    serial: z.string(),
    current: z.strictObject({ ver: z.number().int(), since: timestamp }),
    applied: appliedBundleSchema.nullable(),
    lagging: z.boolean(),
    lagSince: timestamp.nullable(),
  }),
  'SyncStatus',
);

export const exposureSchema = nameSchema(
  z
    .strictObject({
      serial: z.string(),
      keyId: z.string(),
      kid: z.string().meta({ description: 'The holder key’s thumbprint, as in the bundle' }),
      revokedAt: timestamp,
      keyNotAfter: timestamp,
      applied: appliedBundleSchema.nullable(),
      currentVersion: z.number().int(),
    })
    .meta({ description: 'A revoked key the device may still honour, and since when' }),
  'Exposure',
);

export const batterySyncStatusSchema = nameSchema(
  syncStatusSchema.extend({ exposures: z.array(exposureSchema) }),
  'BatterySyncStatus',
);
export const syncStatusPageSchema = nameSchema(pageOf(syncStatusSchema), 'SyncStatusPage');
export const exposurePageSchema = nameSchema(pageOf(exposureSchema), 'ExposurePage');
