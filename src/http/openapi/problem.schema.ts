import { z } from 'zod';
import { nameSchema } from './schema-names';

/**
 * RFC 9457 problem details as this service writes them (src/http/problem-details.filter.ts):
 * the standard members, the stable `code` clients branch on, the request id for support, and the
 * extensions some refusals add. Open to further extensions, as RFC 9457 §3.2 allows.
 */
export const problemSchema = nameSchema(
  z
    .looseObject({
      type: z.string().meta({
        description: 'A URI naming the problem: urn:battery-keys:problem:<code>, or about:blank',
        examples: ['urn:battery-keys:problem:battery-not-found'],
      }),
      title: z.string().meta({ description: 'The HTTP status phrase', examples: ['Not Found'] }),
      status: z.number().int().min(400).max(599),
      detail: z.string().meta({ description: 'What went wrong, in a sentence of ours' }),
      instance: z.string().optional().meta({ description: 'The request path' }),
      code: z.string().meta({
        description: 'Stable machine-readable reason; branch on this, not on `detail`',
        examples: ['battery-not-found'],
      }),
      requestId: z
        .string()
        .optional()
        .meta({ description: 'The X-Request-Id of the request; quote it to support' }),
      errors: z
        .array(z.strictObject({ path: z.string(), message: z.string() }))
        .optional()
        .meta({ description: 'On 400 invalid-request: each field refused and why' }),
      currentRevision: z
        .number()
        .int()
        .nullable()
        .optional()
        .meta({ description: 'On 409 concurrency-conflict: the revision to decide on again' }),
    })
    .meta({ description: 'RFC 9457 problem details (application/problem+json)' }),
  'Problem',
);

/** The 4xx and 5xx statuses this API answers with a problem document. */
export const PROBLEM_RESPONSES = {
  400: {
    name: 'BadRequest',
    description:
      'invalid-request: the body, a path or query parameter or a header has the wrong shape (`errors` names each field); or the body is not JSON',
  },
  401: {
    name: 'Unauthorized',
    description:
      'The credential is missing or refused (`code` says why); WWW-Authenticate names the scheme',
    headers: {
      'WWW-Authenticate': {
        description: 'Bearer realm="battery-keys" or DeviceProof, with the error',
        schema: { type: 'string' },
      },
    },
  },
  403: {
    name: 'Forbidden',
    description:
      'The caller is known but the policy does not let them do this; `code` and `detail` name the rule',
  },
  404: {
    name: 'NotFound',
    description:
      'Not found, or not visible to the caller: a battery unrelated to the caller answers as one never provisioned',
  },
  409: {
    name: 'Conflict',
    description:
      'The request contradicts the current state (already exists, already open, revoked); concurrency-conflict carries `currentRevision`',
  },
  413: { name: 'ContentTooLarge', description: 'The body is larger than this service accepts' },
  415: {
    name: 'UnsupportedMediaType',
    description: 'Request bodies are application/json only',
  },
  422: {
    name: 'UnprocessableContent',
    description:
      'A domain rule refuses it whatever the state (outside hard limits, unregistered party, weak key), or the Idempotency-Key was used with another body',
  },
  429: {
    name: 'TooManyRequests',
    description: 'Over the rate limit of the caller or its address; retry after Retry-After',
    headers: {
      'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', minimum: 0 } },
    },
  },
  503: {
    name: 'ServiceUnavailable',
    description:
      'The event store or the identity provider is unreachable, or X-Min-Position was not reached in time; nothing was recorded, retry after Retry-After',
    headers: {
      'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', minimum: 0 } },
    },
  },
} as const;

export type ProblemStatus = keyof typeof PROBLEM_RESPONSES;
