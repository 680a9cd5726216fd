import type { OpenAPIObject } from '@nestjs/swagger';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocument } from './openapi-document';

/** Where the committed contract and the types generated from it live (repository-relative). */
export const OPENAPI_JSON_PATH = 'openapi/openapi.json';
export const OPENAPI_TYPES_PATH = 'openapi/schema.d.ts';

/**
 * The document of the application as the current code builds it, without a server: the app is
 * created (not listened on) over a scratch data directory with default settings, so neither the
 * caller's environment nor a port changes what is written.
 */
export async function currentOpenApiDocument(): Promise<{
  document: OpenAPIObject;
  gaps: string[];
}> {
  // Imported here: loading the application is what this function is for, not what importing it costs.
  const { createApp } = await import('../../create-app');
  const dataDir = mkdtempSync(join(tmpdir(), 'battery-keys-openapi-'));
  const app = await createApp({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0' });
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The document as committed: JSON in the repository's Prettier style, so `prettier --check` agrees. */
export async function renderOpenApiJson(document: OpenAPIObject): Promise<string> {
  return formatted(JSON.stringify(document), OPENAPI_JSON_PATH);
}

/** TypeScript types of the document (openapi-typescript), as committed. */
export async function renderOpenApiTypes(document: OpenAPIObject): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], {
    // An operation's answers without a documented body are `never`, not `unknown`.
    defaultNonNullable: true,
  });
  const header = [
    '/**',
    ' * Generated from openapi/openapi.json by openapi-typescript (npm run openapi:types).',
    ' * Do not edit: change the contract in the code, then run npm run openapi:export.',
    ' */',
    '',
  ].join('\n');
  return formatted(header + astToString(ast), OPENAPI_TYPES_PATH);
}

async function formatted(text: string, path: string): Promise<string> {
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...options, filepath: path });
}
