import { commandOutcomeSchema } from './response-schemas';
import type { ContractResponse } from './api-contract.decorator';
import type { ProblemStatus } from './problem.schema';

/**
 * What commands on an existing battery, party or policy can answer besides success: bad shape
 * (400), no token (401), the policy says no (403), unknown or unrelated (404), the state says no
 * or If-Match moved (409), body too large or not JSON (413, 415), a domain rule or a reused
 * Idempotency-Key (422), rate limit (429), store or identity provider down (503).
 */
export const COMMAND_PROBLEMS: ProblemStatus[] = [400, 401, 403, 404, 409, 413, 415, 422, 429, 503];

/** Reads of one battery: a serial of the wrong shape, no token, unknown or unrelated. */
export const BATTERY_READ_PROBLEMS: ProblemStatus[] = [400, 401, 404, 429, 503];

/** Fleet and audit lists: a filter the caller may not use is 403. */
export const LIST_PROBLEMS: ProblemStatus[] = [400, 401, 403, 429, 503];

/** The answer of a command: the events it recorded (201 for what creates, 200 for actions). */
export function commandAnswer(
  status: 200 | 201,
  description: string,
  example?: unknown,
): ContractResponse {
  return {
    status,
    description: `${description}. A retry with the same Idempotency-Key answers the same, with "replayed": true`,
    body: commandOutcomeSchema,
    ...(example !== undefined ? { example } : {}),
  };
}
