import { conflict, forbidden, notFound, ruleViolated } from '../../shared/domain/domain-error';
import { recordedBy, type EventMeta } from '../../shared/domain/domain-event';
import {
  evaluateAction,
  evaluateIssuance,
  requireAllowed,
} from '../../policy/domain/policy-evaluation';
import type { IssueKey, RevokeKey } from './battery-commands';
import type { BatteryEvent, KeyRevoked } from './battery-events';
import { assertNotStolen, relationshipFacts } from './battery-facts';
import type { ActiveKey, ProvisionedBattery } from './battery-state';

const DAY_MS = 86_400_000;

export function issueKey(command: IssueKey, battery: ProvisionedBattery): BatteryEvent[] {
  const decision = evaluateIssuance(
    command.context.policy,
    command.context.actor,
    relationshipFacts(battery),
    {
      capabilities: command.capabilities,
      holder: { personId: command.holder.personId, partyId: command.holder.party.partyId },
      leaseId: battery.lease?.leaseId ?? null,
    },
  );
  const { role } = requireAllowed(decision);
  assertNotStolen(battery, 'given new keys');
  if (command.notAfter <= command.notBefore)
    throw ruleViolated('empty-validity-window', 'notAfter must be later than notBefore');
  if (command.notAfter <= command.context.now)
    throw ruleViolated('already-expired', 'notAfter is in the past');
  const maxDays = command.context.policy.document.keyLifetimeMaxDays;
  if (command.notAfter.getTime() > command.context.now.getTime() + maxDays * DAY_MS) {
    throw ruleViolated(
      'key-lifetime-exceeded',
      `A key may be valid for at most ${maxDays} days from now (policy keyLifetimeMaxDays); notAfter ${command.notAfter.toISOString()} is later`,
      { keyLifetimeMaxDays: maxDays },
    );
  }
  if (
    battery.keys.some((k) => k.keyId === command.keyId) ||
    battery.revokedKeyIds.includes(command.keyId)
  ) {
    throw conflict('key-id-taken', `Key id ${command.keyId} is already used on this battery`);
  }
  // A revoked public key stays revoked on this battery, whoever issues it again and under whatever id:
  // its private half may be the reason it was revoked.
  if (battery.revokedThumbprints.includes(command.publicKey.thumbprint)) {
    throw ruleViolated(
      'public-key-revoked',
      'This public key was revoked on this battery and is never valid on it again; the holder needs a new key pair',
    );
  }
  const sameKey = battery.keys.find((k) => k.publicKey.thumbprint === command.publicKey.thumbprint);
  if (sameKey) {
    throw conflict(
      'public-key-already-active',
      `This public key is already active on this battery as key ${sameKey.keyId}`,
      { keyId: sameKey.keyId },
    );
  }
  if (command.publicKey.thumbprint === battery.deviceKey.thumbprint) {
    throw ruleViolated(
      'device-key-as-holder-key',
      "The battery's own identity key cannot be a holder key",
    );
  }
  return [
    {
      type: 'KeyIssued',
      data: {
        keyId: command.keyId,
        holder: { personId: command.holder.personId, partyId: command.holder.party.partyId },
        publicKey: command.publicKey,
        capabilities: [...new Set(command.capabilities)],
        notBefore: command.notBefore.toISOString(),
        notAfter: command.notAfter.toISOString(),
        authority: decision.authority as NonNullable<typeof decision.authority>,
        rule: decision.rule as string,
      },
      meta: recordedBy(command.context, role),
    },
  ];
}

/** The owner may revoke any key on its battery; an operator only the keys issued under its own lease. */
export function revokeKey(command: RevokeKey, battery: ProvisionedBattery): BatteryEvent[] {
  const key = battery.keys.find((k) => k.keyId === command.keyId);
  if (!key) {
    if (battery.revokedKeyIds.includes(command.keyId))
      throw conflict('key-already-revoked', `Key ${command.keyId} is already revoked`);
    throw notFound('key-not-found', `No key ${command.keyId} on this battery`);
  }
  const { role, relationship } = requireAllowed(
    evaluateAction(
      command.context.policy,
      'key.revoke',
      command.context.actor,
      relationshipFacts(battery),
    ),
  );
  if (
    relationship !== 'owner' &&
    !(
      key.authority.relationship === 'operator' &&
      key.authority.partyId === command.context.actor.partyId
    )
  ) {
    throw forbidden(
      'not-your-key',
      `As ${relationship} you may revoke only keys issued under your own lease, not key ${key.keyId}`,
    );
  }
  return [revocation(key, 'revoked', command.reason, recordedBy(command.context, role))];
}

export function revokeWhere(
  battery: ProvisionedBattery,
  predicate: (key: ActiveKey) => boolean,
  cause: KeyRevoked['data']['cause'],
  reason: string,
  meta: EventMeta,
): KeyRevoked[] {
  return battery.keys.filter(predicate).map((key) => revocation(key, cause, reason, meta));
}

function revocation(
  key: ActiveKey,
  cause: KeyRevoked['data']['cause'],
  reason: string,
  meta: EventMeta,
): KeyRevoked {
  return {
    type: 'KeyRevoked',
    data: { keyId: key.keyId, thumbprint: key.publicKey.thumbprint, cause, reason },
    meta,
  };
}
