import { useId, useRef, useState } from 'react';
import { unwrap, type Api } from '../api/client';
import type {
  CommandOutcome,
  OpenProposal,
  OpenTransfer,
  PendingApproval,
  TunableParameters,
} from '../api/types';
import { ErrorMessage, Loading, TableScroll, useLoad } from '../components/common';
import { useConsole } from '../context';
import { useLiveRefresh } from '../live';
import { hrefOf } from '../router';
import { actionLabel, allOf, dateTime, plain } from '../words';

const PARAMETER_LABELS: Record<keyof TunableParameters, string> = {
  socMinPercent: 'State of charge, lowest (%)',
  socMaxPercent: 'State of charge, highest (%)',
  chargeCellVoltageMaxV: 'Charge cell voltage, highest (V)',
  chargeCurrentLimitA: 'Charge current limit (A)',
  dischargeCurrentLimitA: 'Discharge current limit (A)',
};

const isTransfer = (item: PendingApproval): item is PendingApproval & { proposal: OpenTransfer } =>
  item.kind === 'ownership-transfer';

export function titleOf(item: PendingApproval): string {
  if (isTransfer(item)) return `Ownership transfer of ${item.serial} to ${item.proposal.toOwnerId}`;
  const proposal = item.proposal as OpenProposal;
  if (proposal.kind === 'theft-recovery') return `Recovery of stolen battery ${item.serial}`;
  return `${proposal.actions.map((a) => capitalise(actionLabel(a))).join(' and ')} on ${item.serial}`;
}
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "Waiting on me": what the signed-in person may approve, live. */
export function WaitingOnMe() {
  const { api } = useConsole();
  const pending = useLoad(
    () => unwrap(api.GET('/v1/proposals/pending', { params: { query: { limit: 100 } } })),
    [],
  );
  useLiveRefresh(pending.reload);
  // What the person just decided stays on screen with the outcome, though it waits on them no more.
  const [decided, setDecided] = useState<
    Record<string, { item: PendingApproval; outcome: string }>
  >({});
  const items = pending.data?.items ?? [];
  const keyOf = (item: PendingApproval) => `${item.serial}/${item.proposalId}`;
  const shown = [
    ...items.filter((item) => !decided[keyOf(item)]),
    ...Object.values(decided).map(({ item }) => item),
  ];
  return (
    <>
      <h1>Waiting on me</h1>
      <p className="lead">
        Proposals, transfers and recoveries you may approve. The list updates by itself.
      </p>
      <p role="status" className="count">
        {pending.loading && !pending.data
          ? 'Loading…'
          : items.length === 0
            ? 'Nothing is waiting for you.'
            : `${items.length} ${items.length === 1 ? 'item waits' : 'items wait'} for you.`}
      </p>
      <ErrorMessage error={pending.error} />
      {pending.loading && !pending.data ? <Loading what="what waits for you" /> : null}
      <ul className="cards" aria-label="Waiting for your approval">
        {shown.map((item) => (
          <li key={keyOf(item)}>
            <PendingCard
              item={item}
              outcome={decided[keyOf(item)]?.outcome}
              onDecided={async (outcome) => {
                setDecided((previous) => ({ ...previous, [keyOf(item)]: { item, outcome } }));
                await pending.reload();
              }}
            />
          </li>
        ))}
      </ul>
    </>
  );
}

function PendingCard({
  item,
  outcome,
  onDecided,
}: {
  item: PendingApproval;
  outcome: string | undefined;
  onDecided: (outcome: string) => Promise<void>;
}) {
  const { api } = useConsole();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const reasonId = useId();
  const headingId = useId();
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const proposal = item.proposal;

  const act = async (kind: 'approve' | 'reject') => {
    setError(undefined);
    if (kind === 'reject' && reason.trim() === '') {
      setError(new Error('Give a reason to reject.'));
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const result = await decide(api, item, kind, reason.trim());
      await onDecided(outcomeInWords(kind, result));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{titleOf(item)}</h2>
      <dl className="facts">
        <dt>Battery</dt>
        <dd>
          <a href={hrefOf({ screen: 'battery', serial: item.serial })}>{item.serial}</a>
        </dd>
        <dt>Proposed by</dt>
        <dd>
          {proposal.proposedBy.personId} ({proposal.proposedBy.partyId},{' '}
          {plain(proposal.proposedBy.role)})
        </dd>
        <dt>Proposed</dt>
        <dd>{dateTime('requestedAt' in proposal ? proposal.requestedAt : proposal.proposedAt)}</dd>
        {item.expiresAt ? (
          <>
            <dt>Expires</dt>
            <dd>{dateTime(item.expiresAt)}</dd>
          </>
        ) : null}
        <dt>Approved by</dt>
        <dd>
          {proposal.approvals.length === 0
            ? 'nobody yet'
            : proposal.approvals
                .map(
                  (a) =>
                    `${a.approver.personId} (${a.approver.partyId}, ${plain(a.approver.role)})`,
                )
                .join('; ')}
        </dd>
        <dt>Still missing</dt>
        <dd>{allOf(item.approvalsMissing)}</dd>
      </dl>
      <Change item={item} />
      {outcome ? (
        <p role="status" className="success">
          {outcome}
        </p>
      ) : (
        <form
          className="decision"
          onSubmit={(event) => {
            event.preventDefault();
            void act('approve');
          }}
        >
          <label htmlFor={reasonId}>Reason (required to reject)</label>
          <textarea
            id={reasonId}
            ref={reasonRef}
            value={reason}
            maxLength={500}
            rows={2}
            onChange={(event) => setReason(event.target.value)}
          />
          <div className="buttons">
            <button type="submit" disabled={busy}>
              {isTransfer(item) ? 'Accept transfer' : 'Approve'}
            </button>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() => void act('reject')}
            >
              {isTransfer(item) ? 'Decline transfer' : 'Reject'}
            </button>
          </div>
          <ErrorMessage error={error} />
        </form>
      )}
    </article>
  );
}

/**
 * The decision as its command: a transfer is approved (accepted) or cancelled (declined), a
 * proposal approved or rejected; a rejection carries its reason (the form insists on one).
 */
function decide(
  api: Api,
  item: PendingApproval,
  kind: 'approve' | 'reject',
  reason: string,
): Promise<CommandOutcome> {
  const body = reason ? { reason } : {};
  if (isTransfer(item)) {
    const path = { serial: item.serial, transferId: item.proposalId };
    return unwrap(
      kind === 'approve'
        ? api.POST('/v1/batteries/{serial}/transfers/{transferId}/approve', {
            params: { path },
            body,
          })
        : api.POST('/v1/batteries/{serial}/transfers/{transferId}/cancel', {
            params: { path },
            body,
          }),
    );
  }
  const path = { serial: item.serial, proposalId: item.proposalId };
  return unwrap(
    kind === 'approve'
      ? api.POST('/v1/batteries/{serial}/proposals/{proposalId}/approve', {
          params: { path },
          body,
        })
      : api.POST('/v1/batteries/{serial}/proposals/{proposalId}/reject', {
          params: { path },
          body: { reason },
        }),
  );
}

/** Old and new values side by side; the changed ones marked in words, not by colour alone. */
function Change({ item }: { item: PendingApproval }) {
  if (isTransfer(item))
    return (
      <p>
        Ownership moves from <strong>{item.proposal.fromOwnerId}</strong> to{' '}
        <strong>{item.proposal.toOwnerId}</strong>; every key of the old owner is revoked in the
        same write.
      </p>
    );
  const proposal = item.proposal as OpenProposal;
  if (!proposal.parameters)
    return <p>The battery leaves the theft lock and its keys can be issued again.</p>;
  const { from, to } = proposal.parameters;
  const names = Object.keys(PARAMETER_LABELS) as (keyof TunableParameters)[];
  return (
    <TableScroll label={`Change on ${item.serial}`}>
      <table>
        <caption>Old and new values</caption>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Now</th>
            <th scope="col">Proposed</th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const changed = from[name] !== to[name];
            return (
              <tr key={name} className={changed ? 'changed' : undefined}>
                <th scope="row">{PARAMETER_LABELS[name]}</th>
                <td>{from[name]}</td>
                <td>
                  {to[name]}
                  {changed ? <span className="tag">changed</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}

function outcomeInWords(kind: 'approve' | 'reject', outcome: CommandOutcome): string {
  const types = outcome.events.map((e) => e.type);
  if (types.includes('ParametersChanged')) return 'Approved: the new parameters are in force.';
  if (types.includes('OwnershipTransferred')) return 'Accepted: the battery is yours now.';
  if (types.includes('BatteryRecovered')) return 'Approved: the battery is recovered.';
  if (kind === 'reject') return 'Rejected.';
  return 'Approved: it waits for the other approvals.';
}
