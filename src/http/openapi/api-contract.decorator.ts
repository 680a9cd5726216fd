import { ApiOperation } from '@nestjs/swagger';
import type { z } from 'zod';
import type { ProblemStatus } from './problem.schema';

/** How an operation authenticates its caller. */
export type ContractSecurity =
  /** A person's Bearer JWT (the global BearerAuthGuard). */
  | 'bearer'
  /** The battery itself, by a Device-Proof JWS signed with its identity key (DeviceProofGuard). */
  | 'device-proof'
  /** Nobody: probes, public keys. */
  | 'public';

export interface ContractHeader {
  description: string;
  schema?: Record<string, unknown>;
}

/** One answer that is not a problem: its status, body and headers. */
export interface ContractResponse {
  status: number;
  description: string;
  /** The body's schema (JSON), or `'text'` for a body that is one string (a compact JWS). */
  body?: z.ZodType | 'text';
  /** Its name in components.schemas when not named already (see nameSchema). */
  name?: string;
  /** Default application/json. */
  mediaType?: string;
  headers?: Record<string, ContractHeader>;
  example?: unknown;
}

/** A header the operation reads, beyond those its controller documents for every route. */
export interface ContractHeaderParameter {
  name: string;
  description: string;
  schema?: Record<string, unknown>;
  example?: string;
}

export interface ApiContractOptions {
  /** Stable, named for the use case: client generators turn it into a method name. */
  operationId: string;
  summary: string;
  description?: string;
  security: ContractSecurity;
  /** Name of the request body in components.schemas, when the schema has no name yet. */
  requestName?: string;
  requestExample?: unknown;
  headers?: ContractHeaderParameter[];
  responses: ContractResponse[];
  /** Each problem status this route really answers (see PROBLEM_RESPONSES). */
  problems: ProblemStatus[];
}

/** An operation's contract and where its handler is, to read the validation pipes from. */
export interface OperationContract extends ApiContractOptions {
  controller: object;
  handler: string | symbol;
}

const contracts = new Map<string, OperationContract>();

/**
 * The OpenAPI contract of one route. Parameters and request body are not restated here: the
 * document reads them from the route's own ZodValidation pipes (see openapi-document.ts), so what
 * is documented is what is validated. Responses name the zod schemas the answers follow; the e2e
 * contract test parses real answers with them.
 */
export function ApiContract(options: ApiContractOptions): MethodDecorator {
  return (target, handler, descriptor) => {
    const known = contracts.get(options.operationId);
    if (known && (known.controller !== target.constructor || known.handler !== handler))
      throw new Error(`operationId ${options.operationId} is used twice`);
    contracts.set(options.operationId, { ...options, controller: target.constructor, handler });
    const { operationId, summary, description } = options;
    ApiOperation({ operationId, summary, ...(description ? { description } : {}) })(
      target,
      handler,
      descriptor,
    );
  };
}

export function contractOf(operationId: string): OperationContract | undefined {
  return contracts.get(operationId);
}
