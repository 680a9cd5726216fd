/**
 * Errors a decision can end in. Each kind maps to one HTTP status at the edge; the domain itself
 * knows nothing of HTTP.
 */
export type DomainErrorKind =
  /** The thing the command is about does not exist. */
  | 'not-found'
  /** The command contradicts the current state (already exists, already open, already revoked). */
  | 'conflict'
  /** The actor may not do this. */
  | 'forbidden'
  /** The command breaks a domain rule whatever the state (outside hard limits, bad window). */
  | 'rule-violated';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable, machine-readable reason, e.g. `serial-already-provisioned`. */
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('not-found', code, message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('conflict', code, message, details);
export const forbidden = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('forbidden', code, message, details);
export const ruleViolated = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('rule-violated', code, message, details);
