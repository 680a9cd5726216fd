import { useId, useState } from 'react';
import { fetchAuditExport, type AuditExportSelection } from '../api/audit-export';
import { given, unwrap } from '../api/client';
import type { AuditEntry } from '../api/types';
import { ErrorMessage, TableScroll } from '../components/common';
import { useConsole } from '../context';
import { dateTime, plain } from '../words';
import { eventInWords } from './Battery';

interface Filters {
  serial: string;
  party: string;
  person: string;
  from: string;
  to: string;
}

const PAGE = 500;
/** Public (no sign-in): the key an auditor verifies exports and checkpoints with (docs/audit-log.md §4). */
const LOG_KEY_PATH = '/.well-known/audit-log-key';

/** The audit query with its filters, paged, and the log's export of everything that matches. */
export function Audit({ serial }: { serial?: string }) {
  const { api, session } = useConsole();
  const ids = useId();
  const [filters, setFilters] = useState<Filters>({
    serial: serial ?? '',
    party: serial ? '' : session.partyId,
    person: '',
    from: '',
    to: '',
  });
  const [result, setResult] = useState<{ entries: AuditEntry[]; next: string | null }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [exported, setExported] = useState<string>();

  const battery = filters.serial.trim().toUpperCase();
  const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

  // A battery's history has its own route (authorised by the battery); the rest is the audit query.
  const pageOf = (cursor: string | undefined) =>
    battery
      ? unwrap(
          api.GET('/v1/batteries/{serial}/history', {
            params: { path: { serial: battery }, query: { limit: PAGE, cursor } },
          }),
        )
      : unwrap(
          api.GET('/v1/audit', {
            params: {
              query: {
                limit: PAGE,
                cursor,
                party: given(filters.party),
                person: given(filters.person),
                from: instant(filters.from),
                to: instant(filters.to),
              },
            },
          }),
        );

  const run = async (more: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await pageOf(more ? (result?.next ?? undefined) : undefined);
      setResult({
        entries: more && result ? [...result.entries, ...page.items] : page.items,
        next: page.nextCursor,
      });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  /** The same selection as the search: a battery's whole history, or acts by party, person and time. */
  const exportSelection = (): AuditExportSelection | undefined => {
    if (battery) return { battery };
    const selection = {
      party: given(filters.party),
      person: given(filters.person),
      from: instant(filters.from),
      to: instant(filters.to),
    };
    return selection.party || selection.person ? selection : undefined;
  };

  const exportAll = async () => {
    setError(undefined);
    setExported(undefined);
    const selection = exportSelection();
    if (!selection) {
      setError(new Error('Name a battery, a party or a person to export.'));
      return;
    }
    setBusy(true);
    try {
      const exportedAt = new Date().toISOString();
      const { file, events, checkpoint } = await fetchAuditExport(api, selection);
      const what = (battery || selection.party || selection.person || 'all').replace(
        /[^A-Za-z0-9._-]/g,
        '_',
      );
      const name = `audit-${what}-${exportedAt.replace(/[:.]/g, '-')}.jsonl`;
      download(name, file);
      setExported(
        `Exported ${events} ${events === 1 ? 'event' : 'events'} with inclusion proofs to ${name}, ` +
          `against checkpoint ${checkpoint.size} of ${checkpoint.origin}. ` +
          'Events recorded after that checkpoint are in the next export.',
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const set = (name: keyof Filters) => (event: { target: { value: string } }) =>
    setFilters((previous) => ({ ...previous, [name]: event.target.value }));
  const input = (name: keyof Filters, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`${ids}-${name}`}>{label}</label>
      <input id={`${ids}-${name}`} type={type} value={filters[name]} onChange={set(name)} />
    </div>
  );

  return (
    <>
      <h1>Audit</h1>
      <p className="lead">
        Who did what, for which party, in which role, why, under which policy. With a battery
        serial, that battery’s whole history; otherwise by acting party, person and time.
      </p>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          void run(false);
        }}
      >
        {input('serial', 'Battery serial')}
        {input('party', 'Acting party')}
        {input('person', 'Person')}
        {input('from', 'From', 'datetime-local')}
        {input('to', 'Until', 'datetime-local')}
        <div className="buttons">
          <button type="submit" disabled={busy}>
            Search
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => void exportAll()}
          >
            Export with proofs (.jsonl)
          </button>
        </div>
      </form>
      <ErrorMessage error={error} />
      {exported ? (
        <p role="status" className="success">
          {exported}
        </p>
      ) : null}
      <VerifyOffline />
      {result ? (
        <section aria-labelledby={`${ids}-results`}>
          <h2 id={`${ids}-results`}>
            {result.entries.length} {result.entries.length === 1 ? 'entry' : 'entries'}
          </h2>
          <TableScroll label="Audit entries">
            <table>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Event</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Party</th>
                  <th scope="col">Role</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Policy</th>
                </tr>
              </thead>
              <tbody>
                {result.entries.map((entry) => (
                  <tr key={entry.eventId}>
                    <td>{dateTime(entry.occurredAt)}</td>
                    <td>{entry.streamId}</td>
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
          {result.next ? (
            <button type="button" disabled={busy} onClick={() => void run(true)}>
              Show more
            </button>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

/** How an auditor checks an export without trusting this service or this console. */
function VerifyOffline() {
  const headingId = useId();
  const keyUrl = `${window.location.origin}${LOG_KEY_PATH}`;
  return (
    <section aria-labelledby={headingId} className="verify">
      <h2 id={headingId}>Verify an export offline</h2>
      <p>
        An export is JSON lines: a header with the audit log’s signed checkpoint, then each event
        exactly as it was logged, with its inclusion proof in that checkpoint’s tree. Anyone can
        check it offline with <code>npm run audit-verify</code> and the log’s public key, published
        at{' '}
        <a href={LOG_KEY_PATH} download="log.pub">
          {keyUrl}
        </a>{' '}
        (compare it with a copy you got another way).
      </p>
      <pre>
        <code>{`curl -s ${keyUrl} > log.pub\nnpm run -s audit-verify -- --export audit-….jsonl --log-key log.pub`}</code>
      </pre>
    </section>
  );
}

/** Hands a file to the browser's downloads, made here: nothing leaves for another server. */
function download(name: string, file: Blob) {
  const url = URL.createObjectURL(file);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
