import { DEFAULT_POLICY_DOCUMENT } from '../../src/policy/domain/default-policy';
import type { PolicyDocument } from '../../src/policy/domain/policy-document';

/** The default policy, except that a transfer also needs the sending owner's fleet-finance approval. */
export const TRANSFER_NEEDS_FINANCE: PolicyDocument = {
  ...DEFAULT_POLICY_DOCUMENT,
  actions: {
    ...DEFAULT_POLICY_DOCUMENT.actions,
    'ownership.transfer': {
      performers: [{ relationship: 'owner', role: 'owner-admin' }],
      approvals: [
        { anyOf: [{ relationship: 'receiving-lessor', role: 'owner-admin' }] },
        { anyOf: [{ relationship: 'owner', role: 'fleet-finance' }] },
      ],
    },
  },
};
