import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { RootKey } from './trust-documents';

/**
 * What the service hands every device next to its bundle: the chain from the root pinned at
 * manufacture to today's root, and today's delegation. All of it is public; the private root key
 * is never here.
 */
export interface TrustFile {
  format: 1;
  /** Version 1 of the root: the public key burned into devices at manufacture. */
  firstRoot: RootKey;
  /** Root rotation statements, oldest first: statement n introduces root n + 2, signed by root n + 1. */
  rootChain: string[];
  delegation: string;
}

const compactJws = z
  .string()
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWS');
const trustFileSchema = z.strictObject({
  format: z.literal(1),
  firstRoot: z.strictObject({
    kid: z.string().min(1),
    jwk: z.strictObject({
      kty: z.literal('EC'),
      crv: z.literal('P-256'),
      x: z.string(),
      y: z.string(),
    }),
  }),
  rootChain: z.array(compactJws).max(64),
  delegation: compactJws,
});

export function readTrustFile(file: string): TrustFile | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = trustFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${file} is not a bundle trust file: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Written to a temporary file and renamed, so a reader never sees half a trust file. */
export function writeTrustFile(file: string, trust: TrustFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(trust, null, 2)}\n`, { mode: 0o644 });
  renameSync(temporary, file);
}
