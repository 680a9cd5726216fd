import { deciderSpecification } from '../../../test/support/decider-specification';
import {
  actors,
  context,
  history,
  holderKey,
  issueKeyCommand,
  parties,
  provisionCommand,
  NOW,
} from '../../../test/support/battery-fixtures';
import { DEFAULT_POLICY, DEFAULT_POLICY_DOCUMENT } from '../../policy/domain/default-policy';
import type { ActivePolicy } from '../../policy/domain/policy-document';
import type { BatteryCommand } from './battery-commands';
import { batteryDecider } from './battery-decider';

const spec = deciderSpecification(batteryDecider);
const leased = (): BatteryCommand[] => [
  provisionCommand(),
  {
    type: 'AssignOperator',
    leaseId: 'l-1',
    operator: parties.courier,
    context: context(actors.ownerA),
  },
];
const revoke = (keyId: string): BatteryCommand => ({
  type: 'RevokeKey',
  keyId,
  reason: 'private key stolen',
  context: context(actors.ownerA),
});

describe('a revoked public key', () => {
  it('is refused when the operator issues it again under a new key id', () => {
    const stolen = issueKeyCommand({
      keyId: 'dan-1',
      holder: { personId: 'dan', party: parties.courier },
      publicKey: holderKey('dan'),
      capabilities: ['discharge'],
      context: context(actors.fleetManager),
    });
    spec
      .given(history(...leased(), stolen, revoke('dan-1')))
      .when(
        issueKeyCommand({
          keyId: 'dan-2',
          holder: { personId: 'dan', party: parties.courier },
          publicKey: holderKey('dan'),
          capabilities: ['discharge'],
          context: context(actors.fleetManager),
        }),
      )
      .thenThrows('public-key-revoked', 'rule-violated');
  });

  it('is refused to the owner too, and after a revocation by transfer', () => {
    spec
      .given(history(...leased(), issueKeyCommand({ keyId: 'tom-1' }), revoke('tom-1')))
      .when(issueKeyCommand({ keyId: 'tom-2' }))
      .thenThrows('public-key-revoked', 'rule-violated');
  });
});

describe('key lifetime', () => {
  it("is bounded by the policy's keyLifetimeMaxDays", () => {
    spec
      .given(history(provisionCommand()))
      .when(issueKeyCommand({ notAfter: new Date(NOW.getTime() + 731 * 86_400_000) }))
      .thenThrows('key-lifetime-exceeded', 'rule-violated');
  });

  it('refuses a key valid until the year 9999', () => {
    spec
      .given(history(provisionCommand()))
      .when(issueKeyCommand({ notAfter: new Date('9999-12-31T00:00:00Z') }))
      .thenThrows('key-lifetime-exceeded');
  });
});

describe('an issuer never holds', () => {
  it('refuses a key to the issuer under another party of theirs', () => {
    spec
      .given(history(provisionCommand()))
      .when(issueKeyCommand({ holder: { personId: 'alice', party: parties.workshop } }))
      .thenThrows('self-issuance', 'forbidden');
  });
});

describe('layer 4 is fixed in code', () => {
  // A document that skipped validation (written into the stream by hand, or by a bug) still cannot relabel it.
  const relabelled: ActivePolicy = {
    version: 9,
    document: {
      ...DEFAULT_POLICY_DOCUMENT,
      capabilities: {
        ...DEFAULT_POLICY_DOCUMENT.capabilities,
        'hard-limits.exceed': 2,
        'soc-window.change': 1,
      },
      issuance: [
        {
          id: 'all',
          relationship: 'owner',
          role: 'owner-admin',
          maxLayer: 4 as never,
          holders: 'anyone',
        },
      ],
    },
  };
  const under = (policy: ActivePolicy) => ({ ...context(actors.ownerA), policy });

  it('refuses hard-limits.exceed whatever layer the document gives it', () => {
    spec
      .given(history(provisionCommand()))
      .when(issueKeyCommand({ capabilities: ['hard-limits.exceed'], context: under(relabelled) }))
      .thenThrows('physical-harm-prohibited', 'forbidden');
  });

  it('keeps a loosened capability at its catalogue layer', () => {
    spec
      .given(history(provisionCommand()))
      .when(
        issueKeyCommand({
          capabilities: ['soc-window.change'],
          context: under({
            ...relabelled,
            document: { ...relabelled.document, issuance: DEFAULT_POLICY.document.issuance },
          }),
        }),
      )
      .thenThrows('issuer-matrix-exceeded', 'forbidden');
  });
});
