import { z } from 'zod';
import { nameSchema } from '../../http/openapi/schema-names';
import { recordedActorSchema } from '../../http/openapi/response-schemas';
import { RELATIONSHIPS } from '../domain/relationship';
import { policyDocumentSchema, proposePolicyRequest } from './policy-requests';

/** Response shapes of the policy routes (and the approval vocabulary other contexts answer with). */

nameSchema(policyDocumentSchema, 'PolicyDocument');
nameSchema(proposePolicyRequest, 'ProposePolicyChangeRequest');

const relationship = z.enum(RELATIONSHIPS);

export const partyRoleSchema = nameSchema(
  z.strictObject({ relationship, role: z.string() }),
  'PartyRole',
);

export const approvalSlotSchema = nameSchema(
  z
    .strictObject({ anyOf: z.array(partyRoleSchema) })
    .meta({ description: 'One approval: any one person matching one of these' }),
  'ApprovalSlot',
);

export const missingApprovalSchema = nameSchema(
  z.strictObject({ slot: z.number().int().min(0), anyOf: z.array(partyRoleSchema) }),
  'MissingApproval',
);

export const recordedApprovalSchema = nameSchema(
  z.strictObject({ slot: z.number().int().min(0), approver: recordedActorSchema, relationship }),
  'RecordedApproval',
);

export const policyStateSchema = z.strictObject({
  version: z.number().int().min(1),
  document: policyDocumentSchema,
  pendingChange: z
    .strictObject({
      proposalId: z.string(),
      basedOnVersion: z.number().int(),
      document: policyDocumentSchema,
      proposedBy: recordedActorSchema,
      required: z.array(approvalSlotSchema),
      approvals: z.array(recordedApprovalSchema),
    })
    .nullable(),
});

/** The answer of GET /v1/policy/explain (src/policy/domain/explain.ts). */
export const explanationSchema = z.strictObject({
  allowed: z.boolean(),
  action: z.string(),
  policyVersion: z.number().int(),
  rule: z
    .string()
    .nullable()
    .meta({ description: 'Path of the deciding rule, e.g. actions.lease.assign.performers[0]' }),
  relationship: relationship.nullable(),
  role: z.string().nullable(),
  code: z.string().nullable().meta({ description: 'Stable code of the refusal; null if allowed' }),
  reason: z.string(),
  approvalsRequired: z.array(approvalSlotSchema),
  subject: z.strictObject({
    personId: z.string(),
    partyId: z.string(),
    roles: z.array(z.string()),
  }),
  serial: z.string().nullable(),
  relationships: z.array(relationship),
  approvalsMissing: z.array(missingApprovalSchema),
});
