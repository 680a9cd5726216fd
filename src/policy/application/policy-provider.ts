import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '../../event-store/event-store.port';
import { loadStreamState, type StreamState } from '../../command-handling/stream-state';
import type { ActivePolicy } from '../domain/policy-document';
import { policyDecider, type PolicyState } from '../domain/policy-decider';
import { POLICY_STREAM_ID } from '../domain/policy-events';

/**
 * The policy in force, read from its stream (not the read model) so a decision never runs under a
 * policy that another instance already replaced. The stream is short; the fold is cached by revision.
 */
@Injectable()
export class PolicyProvider {
  private cached: StreamState<PolicyState> | undefined;

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async current(): Promise<ActivePolicy> {
    return (await this.state()).active;
  }

  async state(): Promise<PolicyState> {
    this.cached = await loadStreamState(this.store, POLICY_STREAM_ID, policyDecider, this.cached);
    return this.cached.state;
  }
}
