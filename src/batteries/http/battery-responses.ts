import { z } from 'zod';
import { nameSchema } from '../../http/openapi/schema-names';
import {
  pageOf,
  recordedActorSchema,
  recordedPublicKeySchema,
} from '../../http/openapi/response-schemas';
import {
  approvalSlotSchema,
  missingApprovalSchema,
  recordedApprovalSchema,
} from '../../policy/http/policy-responses';
import { POLICY_ACTIONS } from '../../policy/domain/policy-document';
import { CAPABILITY_NAMES } from '../../policy/domain/capability-catalogue';
import { publicJwkSchema } from '../../http/public-key';
import {
  assignOperatorRequest,
  contractSpecialistRequest,
  hardLimitsSchema,
  issueKeyRequest,
  parametersSchema,
  proposeParameterChangeRequest,
  provisionBatteryRequest,
  reasonOnlyRequest,
  rejectRequest,
  requestTransferRequest,
  revokeKeyRequest,
} from './battery-requests';

/** Names of the battery request schemas in the document, and the shapes battery reads answer with. */

nameSchema(publicJwkSchema, 'PublicJwk');
nameSchema(hardLimitsSchema, 'HardLimits');
nameSchema(parametersSchema, 'TunableParameters');
nameSchema(provisionBatteryRequest, 'ProvisionBatteryRequest');
nameSchema(reasonOnlyRequest, 'ReasonRequest');
nameSchema(requestTransferRequest, 'RequestTransferRequest');
nameSchema(assignOperatorRequest, 'AssignOperatorRequest');
nameSchema(issueKeyRequest, 'IssueKeyRequest');
nameSchema(revokeKeyRequest, 'RevokeKeyRequest');
nameSchema(contractSpecialistRequest, 'ContractSpecialistRequest');
nameSchema(proposeParameterChangeRequest, 'ProposeParameterChangeRequest');
nameSchema(rejectRequest, 'RejectProposalRequest');

const timestamp = z.string().meta({ format: 'date-time' });
const capability = z.enum(CAPABILITY_NAMES as [string, ...string[]]);

export const activeKeySchema = nameSchema(
  z.strictObject({
    keyId: z.string(),
    holder: z.strictObject({ personId: z.string(), partyId: z.string() }),
    publicKey: recordedPublicKeySchema,
    capabilities: z.array(capability),
    notBefore: timestamp,
    notAfter: timestamp,
    authority: z
      .discriminatedUnion('relationship', [
        z.strictObject({ relationship: z.literal('owner'), partyId: z.string() }),
        z.strictObject({
          relationship: z.literal('operator'),
          partyId: z.string(),
          leaseId: z.string(),
        }),
      ])
      .meta({ description: 'The authority the key lives by: it ends when that does' }),
    issuedAt: timestamp,
  }),
  'ActiveKey',
);

export const openTransferSchema = nameSchema(
  z.strictObject({
    transferId: z.string(),
    fromOwnerId: z.string(),
    toOwnerId: z.string(),
    requestedAt: timestamp,
    proposedBy: recordedActorSchema,
    required: z.array(approvalSlotSchema),
    approvals: z.array(recordedApprovalSchema),
  }),
  'OpenTransfer',
);

export const openProposalSchema = nameSchema(
  z.strictObject({
    proposalId: z.string(),
    kind: z.enum(['parameter-change', 'theft-recovery']),
    actions: z.array(z.enum(POLICY_ACTIONS)),
    parameters: z.strictObject({ from: parametersSchema, to: parametersSchema }).nullable(),
    proposedBy: recordedActorSchema,
    proposedAt: timestamp,
    expiresAt: timestamp,
    policyVersion: z.number().int(),
    required: z.array(approvalSlotSchema),
    approvals: z.array(recordedApprovalSchema),
  }),
  'OpenProposal',
);

/** A battery as GET /v1/batteries/{serial} shows it (src/batteries/queries/battery-view.ts). */
export const batterySchema = nameSchema(
  z.strictObject({
    serial: z.string(),
    model: z.string(),
    chemistry: z.string(),
    manufacturerId: z.string(),
    ownerId: z.string(),
    lease: z
      .strictObject({ leaseId: z.string(), operatorId: z.string(), since: timestamp })
      .nullable(),
    specialist: z
      .strictObject({ contractId: z.string(), specialistId: z.string(), since: timestamp })
      .nullable(),
    status: z.enum(['active', 'stolen']),
    openTransfer: openTransferSchema.nullable(),
    proposals: z.array(openProposalSchema),
    hardLimits: hardLimitsSchema,
    parameters: parametersSchema,
    deviceKey: recordedPublicKeySchema,
    keys: z.array(activeKeySchema).meta({ description: 'Keys not revoked, in issue order' }),
    revision: z.number().int().min(0).meta({ description: 'Also the ETag: send it as If-Match' }),
    bundleVersion: z.number().int().min(1),
    position: z.string().regex(/^\d+$/),
  }),
  'Battery',
);

export const batteryPageSchema = nameSchema(pageOf(batterySchema), 'BatteryPage');

/** GET /v1/proposals/pending (src/batteries/queries/pending-approvals.query.ts). */
export const pendingApprovalsSchema = z.strictObject({
  items: z.array(
    z.strictObject({
      serial: z.string(),
      proposalId: z.string(),
      kind: z
        .string()
        .meta({ description: 'parameter-change, theft-recovery or ownership-transfer' }),
      expiresAt: timestamp.nullable(),
      proposal: z.union([openProposalSchema, openTransferSchema]),
      approvalsMissing: z.array(missingApprovalSchema),
    }),
  ),
});
