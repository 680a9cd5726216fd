/**
 * Writes docs/vectors/bundle-test-vectors.json (the test vectors as data, for firmware teams and
 * for the spec) and the appendix of docs/key-bundle.md (the same data, rendered) from the fixed
 * test keys in test-keys.json. Deterministic: run it again and nothing changes unless the keys or
 * the vectors' definitions in build-test-vectors.ts did. Run it when the protocol changes, then
 * read the diff:
 *
 *   npx ts-node --transpile-only test/devices/vectors/generate-test-vectors.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestVectors, readTestKeys } from './build-test-vectors';
import { renderAppendix, vectorFileText, VECTOR_FILE, withAppendix } from './test-vector-format';

const ROOT = join(__dirname, '../../..');
const DOC = join(ROOT, 'docs/key-bundle.md');

async function main(): Promise<void> {
  const file = await buildTestVectors(readTestKeys());
  writeFileSync(join(ROOT, VECTOR_FILE), vectorFileText(file));
  writeFileSync(DOC, withAppendix(readFileSync(DOC, 'utf8'), renderAppendix(file)));
  console.log(`${file.vectors.length} vectors written to ${VECTOR_FILE} and ${DOC}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
