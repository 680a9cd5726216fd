import { Inject, Optional } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import { hasOversight } from '../../shared/domain/oversight';
import type { Page } from '../../read-model/page';
import {
  AUDIT_READ_MODEL,
  type AuditEntry,
  type AuditFilter,
  type AuditReadModel,
  type AuditRow,
} from './audit-read-model';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import {
  LEAF_INDEX_LOOKUP,
  type LeafIndexLookup,
} from '../../shared/infrastructure/leaf-index-lookup';

export class AuditQuery extends Query<Page<AuditEntry>> {
  constructor(
    readonly filter: AuditFilter,
    readonly after: bigint,
    readonly limit: number,
    readonly actor: Actor,
    /** Set when the caller was already authorised for the stream (a battery's own history). */
    readonly streamAuthorised = false,
  ) {
    super();
  }
}

/** Across batteries, a party audits what its own people did; platform admins and auditors audit anyone. */
@QueryHandler(AuditQuery)
export class AuditHandler implements IQueryHandler<AuditQuery> {
  constructor(
    @Inject(AUDIT_READ_MODEL) private readonly audit: AuditReadModel,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Optional() @Inject(LEAF_INDEX_LOOKUP) private readonly leaves?: LeafIndexLookup,
  ) {}

  async execute({
    filter,
    after,
    limit,
    actor,
    streamAuthorised,
  }: AuditQuery): Promise<Page<AuditEntry>> {
    const platform = hasOversight(actor);
    if (!platform && !streamAuthorised && filter.actorPartyId !== actor.partyId) {
      throw forbidden(
        'not-your-party',
        `Only the platform's auditors and administrators audit other parties; you may audit your own party (${actor.partyId}): set party=${actor.partyId}`,
      );
    }
    const page = this.audit.query(filter, after, limit);
    return { items: await this.withData(page.items), nextCursor: page.nextCursor };
  }

  /** Each row's event data, from the store: one read per run of one stream's consecutive revisions. */
  private async withData(rows: readonly AuditRow[]): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    for (let start = 0; start < rows.length;) {
      let end = start + 1;
      while (
        end < rows.length &&
        rows[end].streamId === rows[start].streamId &&
        rows[end].revision === rows[end - 1].revision + 1
      )
        end++;
      const run = rows.slice(start, end);
      const events = await this.store.readStream(run[0].streamId, {
        fromRevision: run[0].revision,
        maxCount: run.length,
      });
      const dataOf = new Map(events.map((event) => [event.id, event.data]));
      for (const row of run) {
        const data = dataOf.get(row.eventId);
        // The store is the record; an audit row whose event it no longer holds says so, not a 500.
        entries.push({
          ...row,
          data: data ?? { missingFromStore: true },
          leafIndex: this.leaves?.leafIndexOf(row.eventId) ?? null,
        });
      }
      start = end;
    }
    return entries;
  }
}
