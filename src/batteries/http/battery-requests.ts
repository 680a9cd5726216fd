import { z } from 'zod';
import { CAPABILITY_NAMES } from '../../policy/domain/capability-catalogue';
import { CHEMISTRIES } from '../domain/chemistry-envelopes';
import {
  idSchema,
  partyIdSchema,
  personIdSchema,
  reasonSchema,
  serialSchema,
} from '../../http/common-schemas';
import { publicJwkSchema } from '../../http/public-key';

const volts = z.number().gt(0).lt(10);
const amperes = z.number().gt(0).max(10_000);
const celsius = z.number().min(-100).max(200);
const percent = z.number().min(0).max(100);

export const hardLimitsSchema = z.strictObject({
  cellVoltageMinV: volts,
  cellVoltageMaxV: volts,
  chargeCurrentMaxA: amperes,
  dischargeCurrentMaxA: amperes,
  temperatureMinC: celsius,
  temperatureMaxC: celsius,
});

export const parametersSchema = z.strictObject({
  socMinPercent: percent,
  socMaxPercent: percent,
  chargeCellVoltageMaxV: volts,
  chargeCurrentLimitA: amperes,
  dischargeCurrentLimitA: amperes,
});

export const provisionBatteryRequest = z.strictObject({
  serial: serialSchema,
  model: z.string().min(1).max(100),
  chemistry: z.enum(CHEMISTRIES),
  manufacturerId: partyIdSchema,
  firstOwnerId: partyIdSchema,
  hardLimits: hardLimitsSchema,
  parameters: parametersSchema.optional(),
  deviceKey: publicJwkSchema,
  reason: reasonSchema,
});

/** Bodies of actions that need nothing but an optional reason may be empty. */
export const reasonOnlyRequest = z.strictObject({ reason: reasonSchema }).default({});

export const requestTransferRequest = z.strictObject({
  toOwnerId: partyIdSchema,
  transferId: idSchema.optional(),
  reason: reasonSchema,
});
export const assignOperatorRequest = z.strictObject({
  operatorId: partyIdSchema,
  leaseId: idSchema.optional(),
  reason: reasonSchema,
});

export const issueKeyRequest = z.strictObject({
  keyId: idSchema.optional(),
  holder: z.strictObject({ personId: personIdSchema, partyId: partyIdSchema }),
  publicKey: publicJwkSchema,
  capabilities: z
    .array(z.enum(CAPABILITY_NAMES as [string, ...string[]]))
    .min(1)
    .max(CAPABILITY_NAMES.length),
  notBefore: z.iso.datetime({ offset: true }).optional(),
  notAfter: z.iso.datetime({ offset: true }),
  reason: reasonSchema,
});

export const revokeKeyRequest = z.strictObject({ reason: z.string().min(1).max(500) });

export const contractSpecialistRequest = z.strictObject({
  specialistId: partyIdSchema,
  contractId: idSchema.optional(),
  reason: reasonSchema,
});

const MAX_PROPOSAL_DAYS = 30;
const expiresAt = z.iso
  .datetime({ offset: true })
  .refine((value) => new Date(value).getTime() <= Date.now() + MAX_PROPOSAL_DAYS * 86_400_000, {
    message: `must be within ${MAX_PROPOSAL_DAYS} days`,
  })
  .optional();

export const proposeParameterChangeRequest = z.strictObject({
  proposalId: idSchema.optional(),
  parameters: parametersSchema
    .partial()
    .refine((p) => Object.keys(p).length > 0, { message: 'name at least one parameter to change' }),
  expiresAt,
  reason: reasonSchema,
});
export const requestRecoveryRequest = z.strictObject({
  proposalId: idSchema.optional(),
  expiresAt,
  reason: reasonSchema,
});
export const rejectRequest = z.strictObject({ reason: z.string().min(1).max(500) });

export const specialistParams = z.strictObject({ serial: serialSchema, contractId: idSchema });
export const proposalParams = z.strictObject({ serial: serialSchema, proposalId: idSchema });
export const transferParams = z.strictObject({ serial: serialSchema, transferId: idSchema });
export const leaseParams = z.strictObject({ serial: serialSchema, leaseId: idSchema });
export const keyParams = z.strictObject({ serial: serialSchema, keyId: idSchema });
