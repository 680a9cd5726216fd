import fc from 'fast-check';

/**
 * Malformed, oversized and type-confused requests for every operation of the service's OpenAPI
 * document. Every request made for a changing operation (POST, PUT, PATCH, DELETE) is invalid by
 * construction (its body, content type or path breaks the operation's schema in at least one
 * place), so none of them may change anything; reads get malformed paths, queries and headers.
 */

export interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  format?: string;
  default?: unknown;
}

export interface Operation {
  method: string;
  /** e.g. /v1/batteries/{serial}/keys */
  template: string;
  pathParams: string[];
  bodySchema?: JsonSchema;
  changes: boolean;
}

export interface MalformedRequest {
  operation: string;
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>
  >;
}

/** Every operation of the document, with its path parameters and JSON body schema. */
export function operationsOf(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      operations.push({
        method: method.toUpperCase(),
        template,
        pathParams: [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        bodySchema: operation.requestBody?.content?.['application/json']?.schema,
        changes: method !== 'get',
      });
    }
  }
  return operations;
}

const STRING_CANDIDATES = [
  'lessor-a',
  'FUZZ-1',
  'x1',
  'a',
  '2030-01-01T00:00:00Z',
  'A'.repeat(43),
  'x',
];

/** A value shaped like the schema (not necessarily valid: the mutations below break it anyway). */
export function templateOf(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return 'x';
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const union = schema.oneOf ?? schema.anyOf;
  if (union && union.length > 0) return templateOf(union[union.length - 1], depth + 1);
  switch (schema.type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {}))
        value[name] = templateOf(property, depth + 1);
      return value;
    }
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () =>
        templateOf(schema.items, depth + 1),
      );
    case 'integer':
    case 'number': {
      const low =
        typeof schema.minimum === 'number'
          ? schema.minimum
          : typeof schema.exclusiveMinimum === 'number'
            ? schema.exclusiveMinimum + 1
            : 1;
      return Math.max(low, 1);
    }
    case 'boolean':
      return true;
    default: {
      const fits = (candidate: string) =>
        (schema.pattern === undefined || new RegExp(schema.pattern).test(candidate)) &&
        candidate.length >= (schema.minLength ?? 0) &&
        candidate.length <= (schema.maxLength ?? Infinity);
      return STRING_CANDIDATES.find(fits) ?? 'x';
    }
  }
}

type Path = (string | number)[];

/** Every place in the template where a value can be swapped, with the schema that governs it. */
function placesOf(
  value: unknown,
  schema: JsonSchema | undefined,
  path: Path = [],
): { path: Path; schema: JsonSchema | undefined; value: unknown }[] {
  const places = [{ path, schema, value }];
  const union = schema?.oneOf ?? schema?.anyOf;
  const effective = union ? union[union.length - 1] : schema;
  if (Array.isArray(value))
    value.forEach((item, i) => places.push(...placesOf(item, effective?.items, [...path, i])));
  else if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value))
      places.push(...placesOf(item, effective?.properties?.[name], [...path, name]));
  }
  return places;
}

function setAt(root: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cursor = copy;
  for (const step of path.slice(0, -1)) cursor = cursor[step] as Record<string | number, unknown>;
  cursor[path[path.length - 1]] = replacement;
  return copy;
}

function deleteAt(root: unknown, path: Path): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let cursor = copy;
  for (const step of path.slice(0, -1)) cursor = cursor[step] as Record<string | number, unknown>;
  delete cursor[path[path.length - 1]];
  return copy;
}

const jsonTypeOf = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** A JSON value of another type than `value` (so it can never satisfy the same schema). */
function otherTypeThan(value: unknown): fc.Arbitrary<unknown> {
  const type = jsonTypeOf(value);
  const options: fc.Arbitrary<unknown>[] = [];
  if (type !== 'string')
    options.push(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('', '1', 'true', 'null', '{}', '[]', '__proto__', '\u0000', '😀'.repeat(20)),
    );
  if (type !== 'number')
    options.push(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      // 2 ** 53: the first integer past Number.MAX_SAFE_INTEGER.
      fc.constantFrom(0, -1, 1e308, 2 ** 53),
    );
  if (type !== 'boolean') options.push(fc.boolean());
  if (type !== 'null') options.push(fc.constant(null));
  if (type !== 'array') options.push(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }));
  if (type !== 'object')
    options.push(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
    );
  return fc.oneof(...options);
}

const pathSegment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 80 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  fc.constantFrom(
    '..',
    '.',
    '%00',
    '%2F',
    'a%2Fb',
    '%',
    '%zz',
    ' ',
    '-',
    '_',
    'A'.repeat(300),
    '0'.repeat(70),
    '__proto__',
    'constructor',
    '😀',
    '%F0%9F%98%80',
    'null',
    'undefined',
  ),
);

function encodeSegment(segment: string): string {
  // Already percent-escaped samples go as they are; the others are encoded like a client would.
  return /%/.test(segment) ? segment : encodeURIComponent(segment);
}

export interface FuzzContext {
  /** Values that exist in the service, for path parameters that should resolve. */
  existing: Record<string, string>;
  /** Bearer tokens to send (the fuzz reaches validation as an authorised caller). */
  tokens: string[];
  bodyLimitBytes: number;
}

function fillPath(operation: Operation, values: Record<string, string>): string {
  return operation.template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? 'nope');
}

/** Arbitrary malformed requests for one operation. */
export function malformedRequests(
  operation: Operation,
  context: FuzzContext,
): fc.Arbitrary<MalformedRequest> {
  const name = `${operation.method} ${operation.template}`;
  const token = fc.constantFrom(...context.tokens);
  const validPath = fillPath(operation, context.existing);
  const request = (
    kind: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): MalformedRequest => ({ operation: name, kind, method: operation.method, path, headers, body });
  const json = (tokenValue: string) => ({
    authorization: `Bearer ${tokenValue}`,
    'content-type': 'application/json',
  });

  // A path with at least one parameter replaced by junk (or the right number of segments broken).
  const badPath =
    operation.pathParams.length > 0
      ? fc
          .tuple(fc.constantFrom(...operation.pathParams), pathSegment)
          .map(([param, segment]) =>
            fillPath(operation, { ...context.existing, [param]: encodeSegment(segment) }),
          )
      : fc.constant(validPath);

  if (!operation.changes) {
    const query = fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'limit',
          'cursor',
          'owner',
          'operator',
          'party',
          'person',
          'from',
          'to',
          'encrypt',
          'wait',
        ),
        fc.string({ minLength: 1, maxLength: 10 }),
      ),
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(
          '-1',
          '0',
          '1e9',
          '99999999999999999999',
          'NaN',
          'true',
          '',
          '2020-13-45',
          '😀'.repeat(10),
        ),
      ),
      { minKeys: 1, maxKeys: 4 },
    );
    const headerJunk = fc.record({
      'if-none-match': fc.oneof(
        fc.constantFrom('*', '"', 'W/', '""', '"1.2", junk', 'x'.repeat(2000)),
        fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      ),
      'x-min-position': fc.constantFrom('-1', 'abc', '1.5', '99999999999999999999', ' 1', '0x10'),
    });
    return fc.oneof(
      fc
        .tuple(badPath, token)
        .map(([path, t]) => request('bad-path', path, { authorization: `Bearer ${t}` })),
      fc.tuple(query, token).map(([q, t]) =>
        request('bad-query', `${validPath}?${new URLSearchParams(q).toString()}`, {
          authorization: `Bearer ${t}`,
        }),
      ),
      fc
        .tuple(headerJunk, token)
        .map(([h, t]) => request('bad-headers', validPath, { ...h, authorization: `Bearer ${t}` })),
    );
  }

  const schema = operation.bodySchema;
  const template = templateOf(schema ?? { type: 'object', properties: {} });
  const places = placesOf(template, schema);
  const requiredPlaces = places.filter(({ path }) => {
    if (path.length === 0) return false;
    const parent = places.find(
      (p) => p.path.length === path.length - 1 && p.path.every((step, i) => step === path[i]),
    );
    const parentSchema =
      parent?.schema?.oneOf?.at(-1) ?? parent?.schema?.anyOf?.at(-1) ?? parent?.schema;
    return (
      typeof path[path.length - 1] === 'string' &&
      (parentSchema?.required ?? []).includes(String(path[path.length - 1]))
    );
  });
  const objectPlaces = places.filter(
    ({ value, schema: s }) =>
      jsonTypeOf(value) === 'object' && (s?.additionalProperties === false || s?.oneOf || s?.anyOf),
  );
  const boundedStrings = places.filter(
    ({ value, schema: s }) =>
      typeof value === 'string' &&
      (s?.maxLength !== undefined || /\{\d+,\d+\}\$$/.test(s?.pattern ?? '') || s?.enum),
  );

  const bodies: fc.Arbitrary<{ kind: string; body: string }>[] = [
    // Not an object at all.
    fc
      .oneof(
        fc.integer(),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
      )
      .map((v) => ({ kind: 'not-an-object', body: JSON.stringify(v) })),
    // Not JSON.
    fc
      .oneof(
        fc.string({ maxLength: 60 }).map((s) => `{${s}`),
        fc.constant(JSON.stringify(template).slice(0, -1)),
        fc.constantFrom(
          "{'a': 1}",
          '{"a": undefined}',
          '{"a": NaN}',
          '[1,]',
          '{"a":1}}',
          '\u0000',
          '{"__proto__": {"polluted": true}}',
          '{"constructor": {"prototype": {"x": 1}}}',
        ),
      )
      .map((body) => ({ kind: 'not-json', body })),
    // Deeply nested: parsers and validators must not fall over.
    fc
      .integer({ min: 1000, max: 10000 })
      .map((depth) => ({ kind: 'deep-nesting', body: `${'['.repeat(depth)}${']'.repeat(depth)}` })),
  ];
  const innerPlaces = places.filter((p) => p.path.length > 0);
  if (innerPlaces.length > 0) {
    // One value of the wrong JSON type, anywhere in the body.
    bodies.push(
      fc.constantFrom(...innerPlaces).chain((place) =>
        otherTypeThan(place.value).map((v) => ({
          kind: 'wrong-type',
          body: JSON.stringify(setAt(template, place.path, v)),
        })),
      ),
    );
  }
  if (objectPlaces.length > 0) {
    bodies.push(
      fc
        .tuple(
          fc.constantFrom(...objectPlaces),
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.jsonValue({ maxDepth: 1 }),
        )
        .filter(
          ([place, key]) =>
            !Object.prototype.hasOwnProperty.call(place.value as object, key) &&
            !(place.schema?.properties && key in place.schema.properties),
        )
        .map(([place, key, v]) => ({
          kind: 'unknown-field',
          body: JSON.stringify(
            setAt(template, place.path, { ...(place.value as object), [key]: v }),
          ),
        })),
    );
  }
  if (requiredPlaces.length > 0) {
    bodies.push(
      fc.constantFrom(...requiredPlaces).map((place) => ({
        kind: 'missing-field',
        body: JSON.stringify(deleteAt(template, place.path)),
      })),
    );
  }
  if (boundedStrings.length > 0) {
    bodies.push(
      fc
        .tuple(fc.constantFrom(...boundedStrings), fc.integer({ min: 1, max: 20_000 }))
        .map(([place, extra]) => ({
          kind: 'oversized-field',
          body: JSON.stringify(
            setAt(
              template,
              place.path,
              'x'.repeat(
                Math.max(place.schema?.maxLength ?? 0, 64, String(place.value).length) + extra,
              ),
            ),
          ),
        })),
    );
  }

  return fc.oneof(
    fc
      .tuple(fc.oneof(...bodies), token)
      .map(([{ kind, body }, t]) => request(kind, validPath, json(t), body)),
    // A body too large for the service: 413, whatever it holds.
    fc
      .tuple(token, fc.integer({ min: 1, max: 4 * context.bodyLimitBytes }))
      .map(([t, extra]) =>
        request(
          'over-body-limit',
          validPath,
          json(t),
          JSON.stringify({ padding: 'x'.repeat(context.bodyLimitBytes + extra) }),
        ),
      ),
    // A body that is not JSON by its media type.
    fc
      .tuple(
        token,
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/jsonx',
        ),
      )
      .map(([t, type]) =>
        request(
          'wrong-media-type',
          validPath,
          { authorization: `Bearer ${t}`, 'content-type': type },
          'serial=x&a=1',
        ),
      ),
    // Junk in the path parameters, with a body that is not valid either.
    ...(operation.pathParams.length > 0
      ? [
          fc
            .tuple(badPath, token, fc.oneof(...bodies))
            .map(([path, t, { body }]) => request('bad-path', path, json(t), body)),
        ]
      : []),
    // Malformed command headers, with an invalid body.
    fc
      .tuple(
        token,
        fc.record({
          'if-match': fc.constantFrom(
            'three',
            '"-1"',
            '"1.5"',
            'W/"x"',
            '"' + '9'.repeat(20) + '"',
            '*',
            '',
          ),
          'idempotency-key': fc.constantFrom('a b', 'k'.repeat(300), 'é', '"', ' '),
        }),
        fc.oneof(...bodies),
      )
      .map(([t, h, { body }]) => request('bad-headers', validPath, { ...json(t), ...h }, body)),
  );
}
