import type { Decider } from '../../src/shared/domain/decider';
import { DomainError } from '../../src/shared/domain/domain-error';

type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * given(past events).when(command).then(expected events) or .thenThrows(error code): a decider's
 * behaviour written the way the domain is spoken. `then` compares each event as a subset, so a
 * test names what matters (type, data, actor) and nothing it does not care about.
 */
export function deciderSpecification<Command, State, Event>(
  decider: Decider<Command, State, Event>,
) {
  return {
    given(history: Event[]) {
      return {
        when(command: Command) {
          const run = () =>
            decider.decide(
              command,
              history.reduce(
                (state, event) => decider.evolve(state, event),
                decider.initialState(),
              ),
            );
          return {
            then(expected: DeepPartial<Event>[]): Event[] {
              const events = run();
              expect(events).toMatchObject(expected as object[]);
              return events;
            },
            thenThrows(code: string, kind?: DomainError['kind']): DomainError {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toBeInstanceOf(DomainError);
              expect(caught).toMatchObject({ code, ...(kind ? { kind } : {}) });
              return caught as DomainError;
            },
          };
        },
      };
    },
  };
}
