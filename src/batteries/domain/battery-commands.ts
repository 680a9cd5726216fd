import type { CommandContext } from '../../policy/domain/command-context';
import type { PartyFacts } from '../../shared/domain/party-kind';
import type { Capability } from '../../policy/domain/capability-catalogue';
import type { PublicKey } from '../../shared/domain/public-key';
import type { HardLimits } from './hard-limits';
import type { TunableParameters } from './tunable-parameters';

/** Other parties a command names arrive resolved (registered, with their kind) from the shell. */
interface BatteryCommandBase {
  context: CommandContext;
}

export interface ProvisionBattery extends BatteryCommandBase {
  type: 'ProvisionBattery';
  serial: string;
  model: string;
  chemistry: string;
  hardLimits: HardLimits;
  parameters?: TunableParameters;
  deviceKey: PublicKey;
  manufacturer: PartyFacts;
  firstOwner: PartyFacts;
  /** The battery this device key is already registered to, if any: one identity key, one battery. */
  deviceKeyRegisteredTo?: string | null;
}
export interface RequestOwnershipTransfer extends BatteryCommandBase {
  type: 'RequestOwnershipTransfer';
  transferId: string;
  to: PartyFacts;
}
/** The receiving lessor's acceptance, or any other approval the policy asks of the transfer. */
export interface ApproveOwnershipTransfer extends BatteryCommandBase {
  type: 'ApproveOwnershipTransfer';
  transferId: string;
}
export interface CancelOwnershipTransfer extends BatteryCommandBase {
  type: 'CancelOwnershipTransfer';
  transferId: string;
}
export interface AssignOperator extends BatteryCommandBase {
  type: 'AssignOperator';
  leaseId: string;
  operator: PartyFacts;
}
export interface EndLease extends BatteryCommandBase {
  type: 'EndLease';
  leaseId: string;
}
export interface IssueKey extends BatteryCommandBase {
  type: 'IssueKey';
  keyId: string;
  holder: { personId: string; party: PartyFacts };
  publicKey: PublicKey;
  capabilities: Capability[];
  notBefore: Date;
  notAfter: Date;
}
export interface RevokeKey extends BatteryCommandBase {
  type: 'RevokeKey';
  keyId: string;
  reason: string;
}
export interface ReportStolen extends BatteryCommandBase {
  type: 'ReportStolen';
}
export interface ContractSpecialist extends BatteryCommandBase {
  type: 'ContractSpecialist';
  contractId: string;
  specialist: PartyFacts;
}
export interface EndSpecialistContract extends BatteryCommandBase {
  type: 'EndSpecialistContract';
  contractId: string;
}
export interface ProposeParameterChange extends BatteryCommandBase {
  type: 'ProposeParameterChange';
  proposalId: string;
  /** Only the parameters to change; the others keep their current values. */
  parameters: Partial<TunableParameters>;
  expiresAt: Date;
}
export interface RequestRecovery extends BatteryCommandBase {
  type: 'RequestRecovery';
  proposalId: string;
  expiresAt: Date;
}
export interface ApproveProposal extends BatteryCommandBase {
  type: 'ApproveProposal';
  proposalId: string;
}
export interface RejectProposal extends BatteryCommandBase {
  type: 'RejectProposal';
  proposalId: string;
  reason: string;
}
export interface WithdrawProposal extends BatteryCommandBase {
  type: 'WithdrawProposal';
  proposalId: string;
}

export type BatteryCommand =
  | ProvisionBattery
  | RequestOwnershipTransfer
  | ApproveOwnershipTransfer
  | CancelOwnershipTransfer
  | AssignOperator
  | EndLease
  | IssueKey
  | RevokeKey
  | ReportStolen
  | ContractSpecialist
  | EndSpecialistContract
  | ProposeParameterChange
  | RequestRecovery
  | ApproveProposal
  | RejectProposal
  | WithdrawProposal;
