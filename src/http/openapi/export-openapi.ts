import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
 * from the committed openapi/openapi.json. `--check` (npm run lint:openapi, in `npm test`) writes
 * nothing and fails when either committed file is not what the code generates now: a check that
 * rewrote them would hide the very drift it is there to catch.
 */
async function main(): Promise<void> {
  if (process.argv.includes('--types')) {
    const document = JSON.parse(readFileSync(OPENAPI_JSON_PATH, 'utf8')) as OpenAPIObject;
    write(OPENAPI_TYPES_PATH, await renderOpenApiTypes(document));
    return;
  }
  const { document, gaps } = await currentOpenApiDocument();
  if (process.argv.includes('--check')) {
    const stale = [
      [OPENAPI_JSON_PATH, await renderOpenApiJson(document)],
      [OPENAPI_TYPES_PATH, await renderOpenApiTypes(document)],
    ].filter(([path, expected]) => !existsSync(path) || readFileSync(path, 'utf8') !== expected);
    for (const [path] of stale)
      process.stderr.write(
        `${path} is not what the code generates: run npm run openapi:export && npm run openapi:types\n`,
      );
    if (gaps.length > 0) reportGaps(gaps);
    if (stale.length > 0 || gaps.length > 0) process.exitCode = 1;
    return;
  }
  if (gaps.length > 0) {
    reportGaps(gaps);
    process.exitCode = 1;
    return;
  }
  write(OPENAPI_JSON_PATH, await renderOpenApiJson(document));
}

function reportGaps(gaps: string[]): void {
  process.stderr.write(
    `The OpenAPI contract has gaps (add an @ApiContract, validate path parameters with ZodValidation):\n${gaps.map((gap) => `  - ${gap}`).join('\n')}\n`,
  );
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
