import { useId, useState } from 'react';
import { segment, type Query } from '../api/client';
import type { AuditEntry, Page } from '../api/types';
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
/** An export reads at most this many pages (50,000 entries); narrower filters for more. */
const MAX_EXPORT_PAGES = 100;

/** The audit query with its filters, paged, and an export of everything that matches. */
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

  // A battery's history has its own route (authorised by the battery); the rest is the audit query.
  const pageOf = (cursor: string | undefined) => {
    const query: Query = { limit: PAGE, cursor };
    if (filters.serial.trim())
      return api.get<Page<AuditEntry>>(
        `/v1/batteries/${segment(filters.serial.trim().toUpperCase())}/history`,
        query,
      );
    return api.get<Page<AuditEntry>>('/v1/audit', {
      ...query,
      party: filters.party.trim(),
      person: filters.person.trim(),
      from: filters.from ? new Date(filters.from).toISOString() : undefined,
      to: filters.to ? new Date(filters.to).toISOString() : undefined,
    });
  };

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

  const exportAll = async () => {
    setBusy(true);
    setError(undefined);
    setExported(undefined);
    try {
      const entries: AuditEntry[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await pageOf(cursor);
        entries.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && ++pages < MAX_EXPORT_PAGES);
      const complete = cursor === undefined;
      const document = {
        exportedAt: new Date().toISOString(),
        exportedBy: { personId: session.personId, partyId: session.partyId },
        query: Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== '')),
        complete,
        entries,
      };
      const name = `audit-${(filters.serial.trim().toUpperCase() || filters.party.trim() || 'all').replace(/[^A-Za-z0-9._-]/g, '_')}-${document.exportedAt.replace(/[:.]/g, '-')}.json`;
      download(name, JSON.stringify(document, null, 2));
      setExported(
        `Exported ${entries.length} entries to ${name}${complete ? '' : ' (the first pages only: narrow the filters for the rest)'}.`,
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
            Export (JSON)
          </button>
        </div>
      </form>
      <ErrorMessage error={error} />
      {exported ? (
        <p role="status" className="success">
          {exported}
        </p>
      ) : null}
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

/** Hands a file to the browser's downloads, made here: nothing leaves for another server. */
function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
