import { useId, useState } from 'react';
import { unwrap } from '../api/client';
import { ErrorMessage, Loading, TableScroll, useLoad } from '../components/common';
import { useConsole } from '../context';
import { hrefOf } from '../router';
import { dateTime } from '../words';

type Side = 'owner' | 'operator';

/** The fleet of one owner or operator: batteries, devices that lag, revoked keys still live. */
export function Fleet() {
  const { api, session } = useConsole();
  const ids = useId();
  const [draft, setDraft] = useState({ party: session.partyId, side: 'owner' as Side });
  const [filter, setFilter] = useState(draft);
  const [search, setSearch] = useState('');
  const query = {
    limit: 500,
    ...(!filter.party
      ? {}
      : filter.side === 'owner'
        ? { owner: filter.party }
        : { operator: filter.party }),
  };
  const batteries = useLoad(
    () => unwrap(api.GET('/v1/batteries', { params: { query } })),
    [filter.party, filter.side],
  );
  const lagging = useLoad(
    () => unwrap(api.GET('/v1/fleet/lagging', { params: { query } })),
    [filter.party, filter.side],
  );
  // Oldest revocation first, as the service orders it: the key live longest after its
  // revocation matters most.
  const exposure = useLoad(
    () => unwrap(api.GET('/v1/fleet/exposure', { params: { query } })),
    [filter.party, filter.side],
  );
  const needle = search.trim().toUpperCase();
  const shown = (batteries.data?.items ?? []).filter((b) => !needle || b.serial.includes(needle));
  const exposures = exposure.data?.items ?? [];

  return (
    <>
      <h1>Fleet</h1>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter({ party: draft.party.trim(), side: draft.side });
        }}
      >
        <fieldset>
          <legend>Batteries by</legend>
          {(['owner', 'operator'] as const).map((side) => (
            <label key={side} className="inline">
              <input
                type="radio"
                name="side"
                value={side}
                checked={draft.side === side}
                onChange={() => setDraft({ ...draft, side })}
              />{' '}
              {side}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor={`${ids}-party`}>Party</label>
          <input
            id={`${ids}-party`}
            value={draft.party}
            onChange={(event) => setDraft({ ...draft, party: event.target.value })}
          />
        </div>
        <button type="submit">Show</button>
        <div className="field">
          <label htmlFor={`${ids}-search`}>Search serials</label>
          <input
            id={`${ids}-search`}
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
      </form>

      <section aria-labelledby={`${ids}-batteries`}>
        <h2 id={`${ids}-batteries`}>Batteries</h2>
        <ErrorMessage error={batteries.error} />
        {!batteries.data ? (
          batteries.error ? null : (
            <Loading what="batteries" />
          )
        ) : (
          <>
            <p role="status">
              {shown.length} of {batteries.data.items.length} batteries
              {batteries.data.nextCursor ? ' (first 500)' : ''}
            </p>
            <TableScroll label="Batteries">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Serial</th>
                    <th scope="col">Model</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Operator</th>
                    <th scope="col">Status</th>
                    <th scope="col">Bundle</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((b) => (
                    <tr key={b.serial}>
                      <th scope="row">
                        <a href={hrefOf({ screen: 'battery', serial: b.serial })}>{b.serial}</a>
                      </th>
                      <td>{b.model}</td>
                      <td>{b.ownerId}</td>
                      <td>{b.lease?.operatorId ?? '—'}</td>
                      <td>{b.status === 'stolen' ? 'stolen (locked)' : 'active'}</td>
                      <td>{b.bundleVersion}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          </>
        )}
      </section>

      <section aria-labelledby={`${ids}-lagging`}>
        <h2 id={`${ids}-lagging`}>Lagging devices</h2>
        <ErrorMessage error={lagging.error} />
        {lagging.data?.items.length === 0 ? <p>Every device runs the bundle served now.</p> : null}
        {lagging.data && lagging.data.items.length > 0 ? (
          <TableScroll label="Lagging devices">
            <table>
              <thead>
                <tr>
                  <th scope="col">Serial</th>
                  <th scope="col">Served</th>
                  <th scope="col">Applied</th>
                  <th scope="col">Behind since</th>
                </tr>
              </thead>
              <tbody>
                {lagging.data.items.map((d) => (
                  <tr key={d.serial}>
                    <th scope="row">
                      <a href={hrefOf({ screen: 'battery', serial: d.serial })}>{d.serial}</a>
                    </th>
                    <td>{d.current.ver}</td>
                    <td>{d.applied ? d.applied.ver : 'never'}</td>
                    <td>{dateTime(d.lagSince)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : null}
      </section>

      <section aria-labelledby={`${ids}-exposure`}>
        <h2 id={`${ids}-exposure`}>Revoked keys still live, oldest first</h2>
        <ErrorMessage error={exposure.error} />
        {exposure.data?.items.length === 0 ? <p>No device honours a revoked key.</p> : null}
        {exposure.data?.nextCursor ? (
          <p>The oldest 500 are shown; the others were revoked more recently.</p>
        ) : null}
        {exposures.length > 0 ? (
          <TableScroll label="Revoked keys still live">
            <table>
              <thead>
                <tr>
                  <th scope="col">Revoked</th>
                  <th scope="col">Serial</th>
                  <th scope="col">Key</th>
                  <th scope="col">Device applied</th>
                  <th scope="col">Served now</th>
                </tr>
              </thead>
              <tbody>
                {exposures.map((e) => (
                  <tr key={`${e.serial}/${e.keyId}`}>
                    <td>{dateTime(e.revokedAt)}</td>
                    <th scope="row">
                      <a href={hrefOf({ screen: 'battery', serial: e.serial })}>{e.serial}</a>
                    </th>
                    <td>{e.keyId}</td>
                    <td>{e.applied ? `version ${e.applied.ver}` : 'never acknowledged'}</td>
                    <td>{e.currentVersion}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : null}
      </section>
    </>
  );
}
