import type { z } from 'zod';

/**
 * Names under which zod schemas appear in `components.schemas`. A schema named here is written
 * once in the document and referenced everywhere it is used, so a generated client has one type
 * for it (a `HardLimits`, not five anonymous copies). Naming is the only thing recorded: the
 * schema itself stays the one the service validates with or answers from.
 */
const names = new Map<z.ZodType, string>();
const schemasByName = new Map<string, z.ZodType>();

/** Names `schema` in the document; returns it unchanged so a definition can be wrapped in place. */
export function nameSchema<S extends z.ZodType>(schema: S, name: string): S {
  const existing = names.get(schema);
  if (existing !== undefined && existing !== name)
    throw new Error(`A schema is named twice in the OpenAPI document: ${existing} and ${name}`);
  const other = schemasByName.get(name);
  if (other !== undefined && other !== schema)
    throw new Error(`Two different schemas are named ${name} in the OpenAPI document`);
  names.set(schema, name);
  schemasByName.set(name, schema);
  return schema;
}

/** The name a schema has, or the one given if it has none yet (then it is named so). */
export function nameOf(schema: z.ZodType, fallback: string): string {
  const existing = names.get(schema);
  if (existing !== undefined) return existing;
  nameSchema(schema, fallback);
  return fallback;
}

/** Every named schema, by name. */
export function namedSchemas(): ReadonlyMap<string, z.ZodType> {
  return schemasByName;
}
