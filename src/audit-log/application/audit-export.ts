import type { BatteryReadModel } from '../../batteries/queries/battery-read-model';
import { batteryStreamId } from '../../batteries/domain/battery-events';
import type { AuditFilter, AuditReadModel } from '../../audit/queries/audit-read-model';
import { eventsOfRows } from '../../audit/queries/events-of-rows';
import type { EventStore } from '../../event-store/event-store.port';
import { ProblemError } from '../../http/problem-details';
import type { Actor } from '../../shared/domain/actor';
import { forbidden } from '../../shared/domain/domain-error';
import { hasOversight } from '../../shared/domain/oversight';
import { toBase64 } from '../domain/hashing';
import { leafText } from '../domain/leaf';
import { leafEventOf } from '../projections/audit-log.projection';
import type { CheckpointStore } from '../persistence/checkpoint-store';
import type { AuditLogQueries } from '../queries/audit-log-queries';
import type { AuditLogService } from './audit-log.service';

/** Which events an export covers: one battery's, or the acts of a party or person, in a time range. */
export interface ExportSelection {
  serial?: string;
  partyId?: string;
  personId?: string;
  from?: string;
  to?: string;
  /** The size of a checkpoint the auditor kept: the header then proves the log only grew since. */
  previousSize?: number;
}

/** Rows read from the audit view per step: memory stays bounded however long the export is. */
const PAGE = 500;

/**
 * The audit export (docs/audit-log.md §5): one header line with the newest checkpoint, then one
 * line per selected event with its leaf text and its inclusion proof in that checkpoint's tree.
 * Selection and authorization are the audit view's; the proofs are the log's. Everything is
 * decided before the first byte is sent (a refusal is a problem+json answer, not a broken
 * stream); the lines are then produced page by page as the client reads them.
 */
export class AuditExport {
  constructor(
    private readonly audit: AuditReadModel,
    private readonly batteries: BatteryReadModel,
    private readonly log: AuditLogService,
    private readonly checkpoints: CheckpointStore,
    private readonly tree: AuditLogQueries,
    private readonly store: EventStore,
  ) {}

  /** Checks the caller and the request, then returns the export's lines, each ending in "\n". */
  open(selection: ExportSelection, caller: Actor): AsyncGenerator<string> {
    const filter = this.authorizedFilter(selection, caller);
    const latest = this.checkpoints.latest();
    if (!latest) {
      throw new ProblemError(
        409,
        'no-checkpoint',
        'The log has not signed a checkpoint yet, so nothing can be proven; retry once the first checkpoint is signed (a few seconds after the first event).',
      );
    }
    const size = latest.treeSize;
    if (size > this.tree.size()) {
      throw new ProblemError(
        503,
        'log-catching-up',
        'This instance is still rebuilding the tree from the store; retry shortly.',
        { 'retry-after': '5' },
      );
    }
    const previous = selection.previousSize;
    if (previous !== undefined && (previous < 1 || previous > size)) {
      throw new ProblemError(
        422,
        'previous-size-out-of-range',
        `previousSize must be between 1 and the newest checkpoint's size (${size}).`,
      );
    }
    const header = {
      // The note of the very checkpoint the proofs are made against, even if a newer one is
      // signed meanwhile.
      checkpoint: this.log.noteOf(latest),
      ...(previous !== undefined
        ? {
            consistency: {
              from: previous,
              proof: this.tree.consistencyProof(previous, size).map(toBase64),
            },
          }
        : {}),
    };
    return this.lines(header, filter, size);
  }

  /** The audit view's rule: a battery the caller may read, or their own party's acts, or oversight. */
  private authorizedFilter(selection: ExportSelection, caller: Actor): AuditFilter {
    if (selection.serial !== undefined) {
      // The same 404 as for a serial nobody provisioned, for a battery the caller may not read.
      this.batteries.readableBy(selection.serial, caller);
    } else if (!hasOversight(caller) && selection.partyId !== caller.partyId) {
      throw forbidden(
        'not-your-party',
        `Only the platform's auditors and administrators export other parties' acts; you may export your own party's (${caller.partyId}): set party=${caller.partyId}, or name a battery you may read`,
      );
    }
    return {
      ...(selection.serial !== undefined ? { streamId: batteryStreamId(selection.serial) } : {}),
      ...(selection.partyId !== undefined ? { actorPartyId: selection.partyId } : {}),
      ...(selection.personId !== undefined ? { actorPersonId: selection.personId } : {}),
      ...(selection.from !== undefined ? { from: selection.from } : {}),
      ...(selection.to !== undefined ? { to: selection.to } : {}),
    };
  }

  private async *lines(header: object, filter: AuditFilter, size: number): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`;
    let after = 0n;
    for (;;) {
      const page = this.audit.query(filter, after, PAGE);
      const events = await eventsOfRows(this.store, page.items);
      for (const event of events) {
        // The store is the record: an event it no longer holds cannot be exported; the tamper
        // check reports it (health), and the auditor sees the gap in leaf indexes.
        if (!event) continue;
        const leafIndex = this.tree.leafIndexOf(event.id);
        // Rows are in store order: the first one past the checkpoint ends what it can prove.
        if (leafIndex === undefined || leafIndex >= size) return;
        const line = {
          leafIndex,
          leaf: leafText(leafEventOf(event)),
          proof: this.tree.inclusionProof(leafIndex, size).map(toBase64),
        };
        yield `${JSON.stringify(line)}\n`;
      }
      if (page.nextCursor === null) return;
      after = BigInt(page.nextCursor);
    }
  }
}
