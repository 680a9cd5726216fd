import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { toDomainEvent } from '../../shared/infrastructure/event-mapping';
import type { ActivePolicy } from '../domain/policy-document';
import { policyDecider, type PolicyState } from '../domain/policy-decider';
import { POLICY_STREAM_ID, type PolicyEvent } from '../domain/policy-events';

/**
 * The policy in force, read from its stream (not the read model) so a decision never runs under a
 * policy that another instance already replaced. The stream is short; the fold is cached by revision.
 */
@Injectable()
export class PolicyProvider {
  private cached: { revision: number; state: PolicyState } | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async current(): Promise<ActivePolicy> {
    return (await this.state()).active;
  }

  async state(): Promise<PolicyState> {
    const from = this.cached ? this.cached.revision + 1 : 0;
    const newer = await this.store.readStream(POLICY_STREAM_ID, { fromRevision: from });
    if (newer.length === 0 && this.cached) return this.cached.state;
    const base = this.cached?.state ?? policyDecider.initialState();
    const state = newer
      .map((e) => toDomainEvent<PolicyEvent>(e))
      .reduce(policyDecider.evolve, base);
    this.cached = { revision: newer.length > 0 ? newer[newer.length - 1].revision : -1, state };
    return state;
  }
}
