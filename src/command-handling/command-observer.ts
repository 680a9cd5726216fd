import type { CommandResult } from './command-result';

/**
 * The command path's port for whoever counts outcomes (the metrics adapter). The handler knows no
 * metrics library; without an observer nothing is counted and nothing is spent.
 */
export interface CommandObserver {
  /** `code` is the problem code of a refusal, conflict or failure; empty otherwise. */
  commandEnded(command: string, result: CommandResult, code: string): void;
}

export const COMMAND_OBSERVER = Symbol('CommandObserver');
