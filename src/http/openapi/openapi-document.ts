import type { INestApplication } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from '../problem-details';
import { ZodValidation } from '../zod-validation';
import { contractOf, type OperationContract } from './api-contract.decorator';
import { PROBLEM_RESPONSES, problemSchema, type ProblemStatus } from './problem.schema';
import { nameOf, namedSchemas } from './schema-names';

type Json = Record<string, unknown>;
type Parameter = Json & { name: string; in: string };

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const SCHEMA_REF = '#/components/schemas/';
const RESPONSE_REF = '#/components/responses/';

const TAGS: Record<string, string> = {
  parties: 'Organisations: manufacturers, lessors, operators, service providers',
  batteries: 'Provisioning, leases, keys, specialists, theft reports; state and history',
  transfers: 'Ownership transfers between lessors',
  proposals: 'Changes that take effect once the approvers the policy names agree',
  policy: 'The versioned policy document: who may do what, explain, changes',
  bundles: 'Signed key bundles and the keys and chain that verify them',
  devices: 'What a battery calls itself, authenticated by its Device-Proof',
  'device sync': 'Which batteries run the access state served, which lag, which are exposed',
  audit: 'Who changed what, across batteries',
  health: 'Liveness and readiness probes',
  'change feed': 'The events a caller may see, as Server-Sent Events',
  webhooks: 'Endpoints a party registers for event kinds, and their deliveries',
  console: 'The back-office console’s settings and local sign-in',
  'audit-log': 'The tamper-evident log: signed checkpoints, proofs, entries, cosignatures',
};

export interface BuiltOpenApiDocument {
  document: OpenAPIObject;
  /** Routes the contract does not cover; the export refuses to write a document with any. */
  gaps: string[];
}

/**
 * The OpenAPI document of the running application. @nestjs/swagger finds the routes (paths,
 * methods, tags, the headers controllers name); each route's @ApiContract supplies the rest, and
 * parameters and request bodies are read from the route's ZodValidation pipes, so the document
 * says exactly what the service validates. Schemas come from zod (z.toJSONSchema), named ones
 * once in components.schemas.
 */
export function buildOpenApiDocument(app: INestApplication): BuiltOpenApiDocument {
  const config = new DocumentBuilder()
    .setTitle('Battery keys')
    .setDescription(
      'System of record for who may do what to a battery: parties, ownership, keys and signed key bundles. ' +
        'Errors are RFC 9457 application/problem+json with a stable `code`. ' +
        'Commands take an optional Idempotency-Key and If-Match; reads take X-Min-Position to read a write.',
    )
    .setOpenAPIVersion('3.1.0')
    .setVersion('1')
    .addServer(
      '{scheme}://{host}',
      'A battery-keys instance (npm start listens on 127.0.0.1:3000)',
      {
        scheme: { default: 'http', enum: ['http', 'https'] },
        host: { default: '127.0.0.1:3000', description: 'Host and port of the deployment' },
      },
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'A JWT from the identity provider the service trusts: `sub` is the person, `party` the organisation they act for, `roles` their roles there',
      },
      'bearer',
    )
    .addSecurity('DeviceProof', {
      type: 'apiKey',
      in: 'header',
      name: 'Device-Proof',
      description:
        'The battery itself: a fresh compact JWS (typ battery-device-proof+jwt) signed by its identity key, bound to method, URL, serial, a unique jti and iat; shaped after DPoP (RFC 9449). See docs/key-bundle.md',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const gaps: string[] = [];
  const used = { requests: new Set<string>(), responses: new Set<string>() };

  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (!operation) continue;
      const operationId = String(operation.operationId);
      const contract = contractOf(operationId);
      if (!contract) {
        gaps.push(`${method.toUpperCase()} ${path} (${operationId}) has no @ApiContract`);
        continue;
      }
      applyContract(operation, method, path, contract, used, gaps);
    }
  }
  document.components = {
    ...document.components,
    schemas: componentSchemas(used, gaps),
    responses: problemResponses(),
  };
  pruneUnreferenced(document);
  const tags = new Set(
    Object.values(document.paths).flatMap((item) =>
      METHODS.flatMap((m) => ((item[m] as Json | undefined)?.tags as string[] | undefined) ?? []),
    ),
  );
  document.tags = [...tags]
    .sort()
    .map((name) => ({ name, description: TAGS[name] ?? `Operations on ${name}` }));
  return { document, gaps };
}

function applyContract(
  operation: Json,
  method: string,
  path: string,
  contract: OperationContract,
  used: { requests: Set<string>; responses: Set<string> },
  gaps: string[],
): void {
  const where = `${method.toUpperCase()} ${path}`;
  const headers = ((operation.parameters as Parameter[] | undefined) ?? []).filter(
    (parameter) => parameter.in === 'header',
  );
  const parameters: Parameter[] = [];
  let requestBody: Json | undefined;
  for (const { type, schema } of validatedArguments(contract)) {
    if (type === 'path' || type === 'query') {
      for (const [name, property] of Object.entries(objectShape(schema, where))) {
        parameters.push({
          name,
          in: type,
          required: type === 'path' || !property.safeParse(undefined).success,
          schema: inlineSchema(property),
        });
      }
    } else {
      const name = nameOf(schema, contract.requestName ?? `${pascal(contract.operationId)}Request`);
      used.requests.add(name);
      requestBody = {
        required: !schema.safeParse(undefined).success,
        content: {
          'application/json': {
            schema: { $ref: SCHEMA_REF + name },
            ...(contract.requestExample !== undefined ? { example: contract.requestExample } : {}),
          },
        },
      };
    }
  }
  for (const name of path.match(/\{[^}]+\}/g) ?? []) {
    if (!parameters.some((p) => p.in === 'path' && `{${p.name}}` === name))
      gaps.push(`${where}: path parameter ${name} is not validated by a ZodValidation pipe`);
  }
  for (const header of contract.headers ?? []) {
    headers.push({
      name: header.name,
      in: 'header',
      required: false,
      description: header.description,
      schema: header.schema ?? { type: 'string' },
      ...(header.example !== undefined ? { example: header.example } : {}),
    });
  }
  const problems = new Set<ProblemStatus>(contract.problems);
  // Every read of a person's may wait for a position (MinPositionGuard, global on GET).
  if (contract.security === 'bearer' && method === 'get') {
    headers.push({
      name: 'X-Min-Position',
      in: 'header',
      required: false,
      description:
        'Read your write: wait (up to 5 s) until this instance has applied the `position` a command answered with; 503 if it does not in time',
      schema: { type: 'string', pattern: '^\\d{1,19}$' },
    });
    problems.add(400).add(503);
  }
  operation.parameters = [...parameters, ...headers];
  if (requestBody) operation.requestBody = requestBody;
  else delete operation.requestBody;

  const responses: Json = {};
  for (const response of contract.responses) {
    let content: Json | undefined;
    const example = response.example !== undefined ? { example: response.example } : {};
    if (response.body === 'text') {
      content = {
        [response.mediaType ?? 'text/plain']: { schema: { type: 'string' }, ...example },
      };
    } else if (response.body) {
      const name = nameOf(
        response.body,
        response.name ?? `${pascal(contract.operationId)}Response`,
      );
      used.responses.add(name);
      content = {
        [response.mediaType ?? 'application/json']: {
          schema: { $ref: SCHEMA_REF + name },
          ...example,
        },
      };
    }
    responses[String(response.status)] = {
      description: response.description,
      ...(response.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(response.headers).map(([name, header]) => [
                name,
                { description: header.description, schema: header.schema ?? { type: 'string' } },
              ]),
            ),
          }
        : {}),
      ...(content ? { content } : {}),
    };
  }
  for (const status of [...problems].sort())
    responses[String(status)] = { $ref: RESPONSE_REF + PROBLEM_RESPONSES[status].name };
  operation.responses = responses;
  operation.security =
    contract.security === 'bearer'
      ? [{ bearer: [] }]
      : contract.security === 'device-proof'
        ? [{ DeviceProof: [] }]
        : [];
}

/** The zod schemas a route's ZodValidation pipes check, with what they check. */
function validatedArguments(
  contract: OperationContract,
): { type: 'path' | 'query' | 'body'; schema: z.ZodType }[] {
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, contract.controller, contract.handler) ??
    {}) as Record<string, { index: number; data?: unknown; pipes?: unknown[] }>;
  const types: Partial<Record<number, 'path' | 'query' | 'body'>> = {
    [RouteParamtypes.PARAM]: 'path',
    [RouteParamtypes.QUERY]: 'query',
    [RouteParamtypes.BODY]: 'body',
  };
  return Object.entries(args)
    .sort(([, a], [, b]) => a.index - b.index)
    .flatMap(([key, arg]) => {
      const type = types[Number(key.split(':')[0])];
      const pipe = arg.pipes?.find(
        (candidate): candidate is ZodValidation<z.ZodType> => candidate instanceof ZodValidation,
      );
      if (!type || !pipe) return [];
      const validated: z.ZodType = pipe.schema;
      // @Param('name', pipe) validates one parameter; @Param(pipe) the whole object.
      const schema: z.ZodType =
        typeof arg.data === 'string' && type !== 'body'
          ? z.object({ [arg.data]: validated })
          : validated;
      return [{ type, schema }];
    });
}

/** The properties of an object schema, through defaults, optionals and pipes around it. */
function objectShape(schema: z.ZodType, where: string): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape;
  const def = schema.def as { innerType?: z.ZodType; in?: z.ZodType };
  const inner = def.innerType ?? def.in;
  if (inner) return objectShape(inner, where);
  throw new Error(`${where}: parameters are validated by a schema that is not an object`);
}

const JSON_SCHEMA_OPTIONS = { target: 'draft-2020-12', unrepresentable: 'any' } as const;

/** A parameter's schema, inline (as the request sends it: before defaults and transforms). */
function inlineSchema(schema: z.ZodType): Json {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, {
    ...JSON_SCHEMA_OPTIONS,
    io: 'input',
  }) as Json;
  return rest;
}

/** Every schema of the registry, each referring to the others by $ref. */
function registrySchemas(
  registry: z.core.$ZodRegistry<{ id: string }>,
  io: 'input' | 'output',
): Record<string, Json> {
  const { schemas } = z.toJSONSchema(registry, {
    ...JSON_SCHEMA_OPTIONS,
    io,
    uri: (id: string) => SCHEMA_REF + id,
  });
  return schemas;
}

/**
 * components.schemas from every named zod schema: request bodies as clients send them (defaults
 * optional), responses as the service writes them. A schema used both ways must read the same.
 */
function componentSchemas(
  used: { requests: Set<string>; responses: Set<string> },
  gaps: string[],
): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of namedSchemas()) registry.add(schema, { id });
  const asInput = registrySchemas(registry, 'input');
  const asOutput = registrySchemas(registry, 'output');
  const schemas: Record<string, Json> = {};
  for (const id of [...namedSchemas().keys()].sort()) {
    const { $id: _in, ...input } = asInput[id];
    const { $id: _out, ...output } = asOutput[id];
    const request = used.requests.has(id);
    const response = used.responses.has(id);
    if (!isDeepStrictEqual(input, output) && request === response)
      gaps.push(
        `Schema ${id} reads differently as input and output; name a request and a response schema apart`,
      );
    schemas[id] = request ? input : output;
  }
  return schemas;
}

function problemResponses(): Record<string, { description: string }> {
  const name = nameOf(problemSchema, 'Problem');
  return Object.fromEntries(
    Object.values(PROBLEM_RESPONSES).map((problem) => [
      problem.name,
      {
        description: problem.description,
        ...('headers' in problem ? { headers: problem.headers } : {}),
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: SCHEMA_REF + name } } },
      },
    ]),
  );
}

/** Drops components nothing refers to (named schemas of routes not in this application). */
function pruneUnreferenced(document: OpenAPIObject): void {
  const components = document.components as { schemas: Json; responses: Json };
  const reached = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && !reached.has(child)) {
        reached.add(child);
        const [, kind, name] = child.split('/').slice(1);
        visit(components[kind as 'schemas' | 'responses'][name]);
      } else visit(child);
    }
  };
  visit(document.paths);
  for (const kind of ['schemas', 'responses'] as const) {
    for (const name of Object.keys(components[kind])) {
      if (!reached.has(`#/components/${kind}/${name}`)) delete components[kind][name];
    }
  }
}

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);
