import { CAPABILITIES } from './capability-catalogue';
import { ROLES } from '../../shared/domain/roles';
import type { ActivePolicy, PartyRole, PolicyDocument } from './policy-document';

const ownerAdmin: PartyRole = { relationship: 'owner', role: ROLES.ownerAdmin };
const ownerFinance: PartyRole = { relationship: 'owner', role: ROLES.fleetFinance };
const cellEngineer: PartyRole = { relationship: 'cell-specialist', role: ROLES.cellEngineer };
const platformAdmin: PartyRole = { relationship: 'platform', role: ROLES.platformAdmin };

/** Two keys for one lock: the owner (financial impact) and the cell specialist (chemistry). */
const ownerAndCellSpecialist = {
  performers: [ownerAdmin, ownerFinance, cellEngineer],
  approvals: [{ anyOf: [ownerAdmin] }, { anyOf: [cellEngineer] }],
};

/** The rules of shared/design/domain.md, as the policy the service starts with (version 1). */
export const DEFAULT_POLICY_DOCUMENT: PolicyDocument = {
  roles: Object.values(ROLES),
  capabilities: { ...CAPABILITIES },
  issuance: [
    {
      id: 'owner-issues-layers-1-2',
      relationship: 'owner',
      role: ROLES.ownerAdmin,
      maxLayer: 2,
      holders: 'anyone',
    },
    {
      id: 'operator-issues-layer-1-to-own-people',
      relationship: 'operator',
      role: ROLES.fleetManager,
      maxLayer: 1,
      holders: 'own-party',
    },
  ],
  actions: {
    'party.register': { performers: [platformAdmin], approvals: [] },
    'battery.provision': {
      performers: [{ relationship: 'manufacturer', role: ROLES.provisioner }],
      approvals: [],
    },
    'ownership.transfer': {
      performers: [ownerAdmin],
      approvals: [{ anyOf: [{ relationship: 'receiving-lessor', role: ROLES.ownerAdmin }] }],
    },
    'ownership.transfer.cancel': {
      performers: [ownerAdmin, { relationship: 'receiving-lessor', role: ROLES.ownerAdmin }],
      approvals: [],
    },
    'lease.assign': { performers: [ownerAdmin], approvals: [] },
    'lease.end': { performers: [ownerAdmin], approvals: [] },
    'specialist.contract': { performers: [ownerAdmin], approvals: [] },
    'specialist.end': { performers: [ownerAdmin], approvals: [] },
    'key.revoke': {
      performers: [ownerAdmin, { relationship: 'operator', role: ROLES.fleetManager }],
      approvals: [],
    },
    'theft.report': { performers: [ownerAdmin], approvals: [] },
    'theft.recovery': {
      performers: [ownerAdmin],
      approvals: [{ anyOf: [ownerFinance, platformAdmin] }],
    },
    'parameters.soc-window': ownerAndCellSpecialist,
    'parameters.charge-voltage': ownerAndCellSpecialist,
    'parameters.rate-limits': {
      performers: [ownerAdmin, ownerFinance, cellEngineer],
      approvals: [{ anyOf: [ownerAdmin] }, { anyOf: [ownerFinance, cellEngineer] }],
    },
    'policy.change': { performers: [platformAdmin], approvals: [{ anyOf: [platformAdmin] }] },
  },
  regulatoryReadAccess: { capability: 'status.read', relationships: ['owner', 'operator'] },
  keyLifetimeMaxDays: 730,
};

export const DEFAULT_POLICY: ActivePolicy = { version: 1, document: DEFAULT_POLICY_DOCUMENT };
