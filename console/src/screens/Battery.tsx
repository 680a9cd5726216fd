import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, unwrap } from '../api/client';
import type { ActiveKey, AuditEntry, Battery as BatteryView, SyncStatus } from '../api/types';
import { ErrorMessage, Loading, TableScroll, useLoad } from '../components/common';
import { useConsole } from '../context';
import { useLiveRefresh } from '../live';
import { hrefOf } from '../router';
import { actionLabel, dateTime, explainInWords, plain } from '../words';

/** One battery: its state, keys, versions, what the person may do here, and its timeline. */
export function Battery({ serial }: { serial: string }) {
  const { api } = useConsole();
  const path = { serial };
  const battery = useLoad(
    () => unwrap(api.GET('/v1/batteries/{serial}', { params: { path } })),
    [serial],
  );
  const sync = useLoad(
    () => unwrap(api.GET('/v1/devices/{serial}/sync', { params: { path } })),
    [serial],
  );
  const history = useLoad(
    () =>
      unwrap(
        api.GET('/v1/batteries/{serial}/history', { params: { path, query: { limit: 200 } } }),
      ),
    [serial],
  );
  const refresh = async () => {
    await Promise.all([battery.reload(), sync.reload(), history.reload()]);
  };
  // Events of this battery's streams (battery-… and device-…) only.
  useLiveRefresh(refresh, (event) => event.serial === serial);

  if (battery.error instanceof ApiError && battery.error.status === 404)
    return (
      <>
        <h1>Battery {serial}</h1>
        <p role="alert" className="error">
          No battery {serial} that your party may see.
        </p>
      </>
    );
  const b = battery.data;
  return (
    <>
      <h1>Battery {serial}</h1>
      <ErrorMessage error={battery.error} />
      {!b ? (
        <Loading what="the battery" />
      ) : (
        <>
          <State battery={b} sync={sync.data} />
          <Keys keys={b.keys} />
          <Actions battery={b} onChanged={refresh} />
        </>
      )}
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Timeline</h2>
        <p>
          <a href={hrefOf({ screen: 'audit', serial })}>Export this battery’s history</a>
        </p>
        <ErrorMessage error={history.error} />
        {history.data ? <Timeline entries={history.data.items} /> : <Loading what="the timeline" />}
      </section>
    </>
  );
}

function State({ battery: b, sync }: { battery: BatteryView; sync: SyncStatus | undefined }) {
  const p = b.parameters;
  return (
    <section aria-labelledby="state-heading">
      <h2 id="state-heading">State</h2>
      <dl className="facts two-columns">
        <dt>Status</dt>
        <dd>
          {b.status === 'stolen' ? (
            <strong className="warning">Stolen: theft lock on</strong>
          ) : (
            'Active, no theft lock'
          )}
        </dd>
        <dt>Model</dt>
        <dd>
          {b.model} ({b.chemistry}), made by {b.manufacturerId}
        </dd>
        <dt>Owner</dt>
        <dd>{b.ownerId}</dd>
        <dt>Lease</dt>
        <dd>{b.lease ? `${b.lease.operatorId} since ${dateTime(b.lease.since)}` : 'none'}</dd>
        <dt>Cell specialist</dt>
        <dd>
          {b.specialist
            ? `${b.specialist.specialistId} since ${dateTime(b.specialist.since)}`
            : 'none'}
        </dd>
        <dt>State-of-charge window</dt>
        <dd data-testid="soc-window">
          {p.socMinPercent} – {p.socMaxPercent} %
        </dd>
        <dt>Charge cell voltage, highest</dt>
        <dd>{p.chargeCellVoltageMaxV} V</dd>
        <dt>Rate limits</dt>
        <dd>
          charge {p.chargeCurrentLimitA} A, discharge {p.dischargeCurrentLimitA} A
        </dd>
        <dt>Signed bundle version</dt>
        <dd data-testid="bundle-version">{b.bundleVersion}</dd>
        <dt>Applied on the device</dt>
        <dd>
          {!sync
            ? '…'
            : sync.applied
              ? `version ${sync.applied.ver}, ${dateTime(sync.applied.at)}${sync.lagging ? ` (behind since ${dateTime(sync.lagSince)})` : ' (up to date)'}`
              : 'never acknowledged'}
        </dd>
        <dt>Revoked keys still live on the device</dt>
        <dd>
          {!sync
            ? '…'
            : sync.exposures.length === 0
              ? 'none'
              : sync.exposures
                  .map((e) => `${e.keyId} (revoked ${dateTime(e.revokedAt)})`)
                  .join(', ')}
        </dd>
        <dt>Open transfer</dt>
        <dd>
          {b.openTransfer
            ? `to ${b.openTransfer.toOwnerId}, requested ${dateTime(b.openTransfer.requestedAt)}`
            : 'none'}
        </dd>
        <dt>Open proposals</dt>
        <dd>
          {b.proposals.length === 0
            ? 'none'
            : b.proposals
                .map((p) => `${p.proposalId}: ${p.actions.map(actionLabel).join(', ')}`)
                .join('; ')}
        </dd>
      </dl>
    </section>
  );
}

function Keys({ keys }: { keys: ActiveKey[] }) {
  const { policy } = useConsole();
  const layerOf = (key: ActiveKey) =>
    policy
      ? Math.max(...key.capabilities.map((c) => policy.document.capabilities[c] ?? 0))
      : undefined;
  return (
    <section aria-labelledby="keys-heading">
      <h2 id="keys-heading">Keys</h2>
      {keys.length === 0 ? (
        <p>No active keys.</p>
      ) : (
        <TableScroll label="Keys">
          <table>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Layer</th>
                <th scope="col">Holder</th>
                <th scope="col">Capabilities</th>
                <th scope="col">Valid</th>
                <th scope="col">Issued under</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => (
                <tr key={key.keyId}>
                  <th scope="row">{key.keyId}</th>
                  <td>{layerOf(key) ?? '…'}</td>
                  <td>
                    {key.holder.personId} ({key.holder.partyId})
                  </td>
                  <td>{key.capabilities.join(', ')}</td>
                  <td>
                    {dateTime(key.notBefore)} – {dateTime(key.notAfter)}
                  </td>
                  <td>
                    {key.authority.relationship} {key.authority.partyId}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

/** The actions of this screen, each asked of explain first: a form if allowed, the answer if not. */
const ACTIONS = [
  'ownership.transfer',
  'parameters.soc-window',
  'theft.report',
  'theft.recovery',
] as const;
type ScreenAction = (typeof ACTIONS)[number];

function Actions({ battery, onChanged }: { battery: BatteryView; onChanged: () => Promise<void> }) {
  const { api, policy } = useConsole();
  // The outcome of the last action, here rather than in its form: the form may go with the change
  // (a requested transfer leaves nothing to request).
  const [outcome, setOutcome] = useState<string>();
  const relevant = ACTIONS.filter((action) =>
    action === 'theft.recovery'
      ? battery.status === 'stolen'
      : action === 'theft.report'
        ? battery.status === 'active'
        : action === 'ownership.transfer'
          ? battery.openTransfer === null
          : true,
  );
  const answers = useLoad(
    () =>
      Promise.all(
        relevant.map((action) =>
          unwrap(
            api.GET('/v1/policy/explain', {
              params: { query: { serial: battery.serial, action } },
            }),
          ),
        ),
      ),
    [battery.serial, battery.revision, relevant.join()],
  );
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">What you can do</h2>
      {outcome ? (
        <p role="status" className="success">
          {outcome}
        </p>
      ) : null}
      <ErrorMessage error={answers.error} />
      {!answers.data ? (
        <Loading what="what you may do" />
      ) : (
        <ul className="actions">
          {relevant.map((action, index) => {
            const answer = answers.data?.[index];
            if (!answer) return null;
            return (
              <li key={action}>
                <h3>{capitalise(actionLabel(action))}</h3>
                {answer.allowed ? (
                  <>
                    <p className="muted">{explainInWords(answer, policy)}</p>
                    <ActionForm
                      action={action}
                      battery={battery}
                      onDone={async (message) => {
                        setOutcome(message);
                        await onChanged();
                      }}
                    />
                  </>
                ) : (
                  <p className="explain" data-testid={`explain-${action}`}>
                    {explainInWords(answer, policy)}{' '}
                    <span className="muted">
                      (policy version {answer.policyVersion}: {answer.reason})
                    </span>
                  </p>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function ActionForm({
  action,
  battery,
  onDone,
}: {
  action: ScreenAction;
  battery: BatteryView;
  onDone: (outcome: string) => Promise<void>;
}) {
  const { api } = useConsole();
  const id = useId();
  const [fields, setFields] = useState<Record<string, string>>({
    toOwnerId: '',
    socMinPercent: String(battery.parameters.socMinPercent),
    socMaxPercent: String(battery.parameters.socMaxPercent),
    reason: '',
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const set = (name: string) => (event: { target: { value: string } }) =>
    setFields((previous) => ({ ...previous, [name]: event.target.value }));
  const reason = fields.reason.trim() ? { reason: fields.reason.trim() } : {};
  const path = { serial: battery.serial };

  /** The action's command, typed by its route in the contract; answers what to tell the person. */
  const command = async (): Promise<string> => {
    switch (action) {
      case 'ownership.transfer': {
        const toOwnerId = fields.toOwnerId.trim();
        await unwrap(
          api.POST('/v1/batteries/{serial}/transfers', {
            params: { path },
            body: { toOwnerId, ...reason },
          }),
        );
        return `Transfer to ${toOwnerId} requested; it waits for the receiving lessor.`;
      }
      case 'parameters.soc-window':
        await unwrap(
          api.POST('/v1/batteries/{serial}/parameter-proposals', {
            params: { path },
            body: {
              parameters: {
                socMinPercent: Number(fields.socMinPercent),
                socMaxPercent: Number(fields.socMaxPercent),
              },
              ...reason,
            },
          }),
        );
        return 'Proposed; it takes effect when the approvers agree.';
      case 'theft.report':
        await unwrap(
          api.POST('/v1/batteries/{serial}/theft-report', { params: { path }, body: reason }),
        );
        return 'Reported stolen: the theft lock is on.';
      case 'theft.recovery':
        await unwrap(
          api.POST('/v1/batteries/{serial}/recovery-proposals', { params: { path }, body: reason }),
        );
        return 'Recovery requested; it waits for approval.';
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onDone(await command());
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const field = (name: string, label: string, input: ReactNode) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      {input}
    </div>
  );
  return (
    <form onSubmit={(event) => void submit(event)} className="action-form">
      {action === 'ownership.transfer'
        ? field(
            'to',
            'Receiving lessor (party id)',
            <input
              id={`${id}-to`}
              required
              pattern="[a-z0-9][a-z0-9\-]{0,62}"
              value={fields.toOwnerId}
              onChange={set('toOwnerId')}
            />,
          )
        : null}
      {action === 'parameters.soc-window' ? (
        <>
          {field(
            'min',
            'Lowest state of charge (%)',
            <input
              id={`${id}-min`}
              type="number"
              min={0}
              max={100}
              required
              value={fields.socMinPercent}
              onChange={set('socMinPercent')}
            />,
          )}
          {field(
            'max',
            'Highest state of charge (%)',
            <input
              id={`${id}-max`}
              type="number"
              min={0}
              max={100}
              required
              value={fields.socMaxPercent}
              onChange={set('socMaxPercent')}
            />,
          )}
        </>
      ) : null}
      {field(
        'reason',
        'Reason',
        <input
          id={`${id}-reason`}
          maxLength={500}
          value={fields.reason}
          onChange={set('reason')}
        />,
      )}
      <button type="submit" disabled={busy}>
        {action === 'ownership.transfer'
          ? 'Request transfer'
          : action === 'parameters.soc-window'
            ? 'Propose window'
            : action === 'theft.report'
              ? 'Report stolen'
              : 'Request recovery'}
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

/** Newest first: what happened, who did it for which party in which role, why, under which policy. */
export function Timeline({ entries }: { entries: AuditEntry[] }) {
  const newestFirst = [...entries].reverse();
  return (
    <TableScroll label="Timeline">
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">Actor</th>
            <th scope="col">Party</th>
            <th scope="col">Role</th>
            <th scope="col">Reason</th>
            <th scope="col">Policy</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((entry) => (
            <tr key={entry.eventId}>
              <td>{dateTime(entry.occurredAt)}</td>
              <th scope="row">{eventInWords(entry.type)}</th>
              <td>{entry.actor.personId}</td>
              <td>{entry.actor.partyId}</td>
              <td>{plain(entry.actor.role)}</td>
              <td>{entry.reason ?? '—'}</td>
              <td>{entry.policyVersion ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

/** `OwnershipTransferRequested` → "Ownership transfer requested". */
export const eventInWords = (type: string) => {
  const words = type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
};
