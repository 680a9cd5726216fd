import type Database from 'better-sqlite3';
import type { Page } from '../../read-model/page';

export interface PartyView {
  partyId: string;
  name: string;
  kind: string;
  registeredAt: string;
}

export class PartyReadModel {
  private readonly byId;
  private readonly page;

  constructor(db: Database.Database) {
    this.byId = db.prepare<[string], PartyView>(
      'SELECT party_id AS partyId, name, kind, registered_at AS registeredAt FROM parties WHERE party_id = ?',
    );
    this.page = db.prepare<[string, number], PartyView>(
      'SELECT party_id AS partyId, name, kind, registered_at AS registeredAt FROM parties WHERE party_id > ? ORDER BY party_id LIMIT ?',
    );
  }

  get(partyId: string): PartyView | undefined {
    return this.byId.get(partyId);
  }

  list(cursor: string | undefined, limit: number): Page<PartyView> {
    const rows = this.page.all(cursor ?? '', limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].partyId : null };
  }
}

export const PARTY_READ_MODEL = Symbol('PartyReadModel');
