import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import {
  currentOpenApiDocument,
  OPENAPI_JSON_PATH,
  OPENAPI_TYPES_PATH,
  renderOpenApiJson,
  renderOpenApiTypes,
} from './openapi-artefacts';

/**
 * `npm run openapi:export`: writes openapi/openapi.json from the code, no server needed; refuses
 * while a route has no contract. `npm run openapi:types` (`--types`): writes openapi/schema.d.ts
 * from the committed openapi/openapi.json.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--types')) {
    const document = JSON.parse(readFileSync(OPENAPI_JSON_PATH, 'utf8')) as OpenAPIObject;
    write(OPENAPI_TYPES_PATH, await renderOpenApiTypes(document));
    return;
  }
  const { document, gaps } = await currentOpenApiDocument();
  if (gaps.length > 0) {
    process.stderr.write(
      `The OpenAPI contract has gaps (add an @ApiContract, validate path parameters with ZodValidation):\n${gaps.map((gap) => `  - ${gap}`).join('\n')}\n`,
    );
    process.exitCode = 1;
    return;
  }
  write(OPENAPI_JSON_PATH, await renderOpenApiJson(document));
}

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  process.stdout.write(`Wrote ${path}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
