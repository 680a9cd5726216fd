/**
 * A stream's logic as three pure functions (after Emmett's decider): no framework, no I/O, no
 * clock. The shell loads events, folds them with `evolve`, asks `decide`, and appends the result.
 */
export interface Decider<Command, State, Event> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  /** Returns the events the command causes, or throws a DomainError and causes nothing. */
  decide(command: Command, state: State): Event[];
}
