import type { components } from '../../../openapi/schema';

/**
 * The API's shapes the console names, all from the generated OpenAPI types
 * (openapi/schema.d.ts): aliases only, so a change of the contract reaches every screen.
 */
type Schemas = components['schemas'];

export type Problem = Schemas['Problem'];
export type Battery = Schemas['Battery'];
export type ActiveKey = Schemas['ActiveKey'];
export type OpenProposal = Schemas['OpenProposal'];
export type OpenTransfer = Schemas['OpenTransfer'];
export type TunableParameters = Schemas['TunableParameters'];
export type PartyRole = Schemas['PartyRole'];
export type Relationship = PartyRole['relationship'];
export type ApprovalSlot = Schemas['ApprovalSlot'];
export type PendingApproval = Schemas['PendingApprovals']['items'][number];
export type Explanation = Schemas['ExplainDecisionResponse'];
export type PolicyView = Schemas['GetPolicyResponse'];
export type AuditEntry = Schemas['AuditEntry'];
export type SyncStatus = Schemas['BatterySyncStatus'];
export type CommandOutcome = Schemas['CommandOutcome'];
export type ConsoleSettings = Schemas['ConsoleSettings'];
