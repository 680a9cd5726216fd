/**
 * A stream's logic as three pure functions (after Emmett's decider): no framework, no I/O, no
 * clock. The shell loads events, folds them with `evolve`, asks `decide`, and appends the result.
 */
export interface Decider<Command, State, Event> {
  // Function properties, not methods: they never use `this`, and are passed around on their own
  // (`events.reduce(decider.evolve, …)`).
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  /** Returns the events the command causes, or throws a DomainError and causes nothing. */
  readonly decide: (command: Command, state: State) => Event[];
}
