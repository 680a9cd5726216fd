import { z } from 'zod';
import {
  idSchema,
  partyIdSchema,
  personIdSchema,
  reasonSchema,
  serialSchema,
} from '../../http/common-schemas';
import { POLICY_ACTIONS } from '../domain/policy-document';
import { RELATIONSHIPS } from '../domain/relationship';

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, 'must be lowercase letters, digits, dots or dashes');
const partyRole = z.strictObject({ relationship: z.enum(RELATIONSHIPS), role: name });
const actionRule = z.strictObject({
  performers: z.array(partyRole).max(20),
  approvals: z.array(z.strictObject({ anyOf: z.array(partyRole).max(20) })).max(10),
});

/** The shape of a policy document; what it means is checked by the domain (validate-policy.ts). */
export const policyDocumentSchema = z.strictObject({
  roles: z.array(name).min(1).max(100),
  capabilities: z.record(name, z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)])),
  issuance: z
    .array(
      z.strictObject({
        id: name,
        relationship: z.enum(['owner', 'operator']),
        role: name,
        maxLayer: z.number().int(),
        holders: z.enum(['anyone', 'own-party']),
      }),
    )
    .max(50),
  // An action left out takes the default policy's rule (see upcast-policy.ts), so a document
  // written before an action existed can be proposed again.
  actions: z
    .strictObject(
      Object.fromEntries(POLICY_ACTIONS.map((action) => [action, actionRule])) as Record<
        (typeof POLICY_ACTIONS)[number],
        typeof actionRule
      >,
    )
    .partial(),
  regulatoryReadAccess: z.strictObject({
    capability: z.literal('status.read'),
    relationships: z.array(z.enum(RELATIONSHIPS)),
  }),
  keyLifetimeMaxDays: z.number().int().optional(),
});

export const proposePolicyRequest = z.strictObject({
  proposalId: idSchema.optional(),
  document: policyDocumentSchema,
  reason: reasonSchema,
});
export const policyProposalParams = z.strictObject({ proposalId: idSchema });

const csv = z
  .string()
  .max(1000)
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

export const explainQuery = z
  .strictObject({
    action: z.enum([...POLICY_ACTIONS, 'key.issue', 'proposal.approve', 'health.read']),
    serial: serialSchema.optional(),
    person: personIdSchema.optional(),
    party: partyIdSchema.optional(),
    roles: csv.optional(),
    capabilities: csv.optional(),
    holderPerson: personIdSchema.optional(),
    holderParty: partyIdSchema.optional(),
    proposalId: idSchema.optional(),
  })
  .refine((q) => (q.person === undefined) === (q.party === undefined), {
    message: 'give person and party together, or neither to ask about yourself',
  })
  .refine((q) => q.person === undefined || q.roles !== undefined, {
    message: 'roles are required when asking about someone else',
  })
  .refine((q) => q.action !== 'key.issue' || (q.capabilities && q.holderPerson && q.holderParty), {
    message: 'key.issue needs capabilities, holderPerson and holderParty',
  })
  .refine((q) => q.action !== 'proposal.approve' || (q.proposalId && q.serial), {
    message: 'proposal.approve needs serial and proposalId',
  });
