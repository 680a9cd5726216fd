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
  auditEntryOf,
} from './audit-read-model';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { eventsOfRows } from './events-of-rows';
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

  /**
   * Each row's event from the store, with its leaf in the audit log. The store is the record: a
   * row whose event it no longer holds is left out (the audit log's tamper check reports the
   * missing event), as the export leaves it out.
   */
  private async withData(rows: readonly AuditRow[]): Promise<AuditEntry[]> {
    const events = await eventsOfRows(this.store, rows);
    return rows.flatMap((row, index) => {
      const event = events[index];
      return event
        ? [auditEntryOf(row.position, event, this.leaves?.leafIndexOf(event.id) ?? null)]
        : [];
    });
  }
}
