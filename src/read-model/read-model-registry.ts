import type Database from 'better-sqlite3';
import type { Projection } from './projection';
import { installSchema, type ReadModelSchema } from './read-model-schema';

/**
 * What the contexts contribute to the read model: their tables, their projections and the
 * streams they write. The runner follows exactly these streams and applies exactly these
 * projections, without knowing any of them by name.
 */
export class ReadModelRegistry {
  private readonly schemas = new Map<string, ReadModelSchema>();
  private readonly registered: Projection[] = [];
  private readonly streams = new Set<string>();
  private replayNeeded = false;

  constructor(private readonly db: Database.Database) {}

  /** Creates a context's tables; a new schema version makes the whole read model replay. */
  install(schema: ReadModelSchema): void {
    if (this.schemas.has(schema.name))
      throw new Error(`Read-model schema ${schema.name} is installed twice`);
    if (installSchema(this.db, schema)) this.replayNeeded = true;
    this.schemas.set(schema.name, schema);
  }

  /** The streams (by id prefix) a context writes: they are this service's log. */
  follow(streamPrefixes: readonly string[]): void {
    for (const prefix of streamPrefixes) this.streams.add(prefix);
  }

  add(projections: readonly Projection[]): void {
    this.registered.push(...projections);
  }

  get projections(): readonly Projection[] {
    return this.registered;
  }

  get streamPrefixes(): string[] {
    return [...this.streams];
  }

  /** Whether a schema was (re)created since the last replay: the checkpoint no longer describes the tables. */
  takeReplayNeeded(): boolean {
    const needed = this.replayNeeded;
    this.replayNeeded = false;
    return needed;
  }

  /** Empties every context's tables and the checkpoint, so the runner replays the store from the start. */
  clear(): void {
    for (const projection of this.registered) projection.forget?.();
    this.db.transaction(() => {
      for (const schema of this.schemas.values()) {
        for (const table of schema.tables) this.db.exec(`DELETE FROM ${table}`);
      }
      this.db.exec('DELETE FROM checkpoint');
    })();
  }
}

export const READ_MODEL_REGISTRY = Symbol('ReadModelRegistry');
