import { Inject } from '@nestjs/common';
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
} from './audit-read-model';

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
  constructor(@Inject(AUDIT_READ_MODEL) private readonly audit: AuditReadModel) {}

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
        `Without the auditor role you may audit your own party (${actor.partyId}) only: set party=${actor.partyId}`,
      );
    }
    return this.audit.query(filter, after, limit);
  }
}
