import { unwrap, type Api } from './client';

/** What to export (GET /v1/audit/export): one battery's history, or a party's or person's acts. */
export interface AuditExportSelection {
  battery?: string;
  party?: string;
  person?: string;
  from?: string;
  to?: string;
}

/** The export as received, ready to save, and what its header says. */
export interface AuditExportFile {
  /** The JSON lines exactly as the service sent them: a verifier checks these bytes. */
  file: Blob;
  /** Event lines (every line after the header). */
  events: number;
  /** The signed checkpoint every line's inclusion proof leads to (docs/audit-log.md §3, §5). */
  checkpoint: { origin: string; size: number };
}

const NEWLINE = 0x0a;

/**
 * Reads the export (JSON lines: a header with the log's signed checkpoint, then one event per
 * line with its leaf and inclusion proof; docs/audit-log.md §5) as it streams, without decoding
 * or re-encoding the events: the saved file is byte for byte what `npm run audit-verify` checks.
 * Only the header line is parsed, to say which checkpoint the proofs are against.
 */
export async function fetchAuditExport(
  api: Api,
  selection: AuditExportSelection,
): Promise<AuditExportFile> {
  const body = await unwrap(
    api.GET('/v1/audit/export', {
      params: { query: selection },
      headers: { accept: 'application/x-ndjson' },
      parseAs: 'stream',
    }),
  );
  if (!body) throw new Error('The export came back empty.');
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let lines = 0;
  let headerBytes: Uint8Array | undefined;
  const reader = body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    const chunk = new Uint8Array(value);
    chunks.push(chunk);
    for (const byte of chunk) if (byte === NEWLINE) lines++;
    if (!headerBytes && lines > 0) headerBytes = firstLine(chunks);
  }
  const checkpoint = checkpointOf(headerBytes ?? firstLine(chunks));
  return {
    file: new Blob(chunks, { type: 'application/x-ndjson' }),
    events: Math.max(0, lines - 1),
    checkpoint,
  };
}

/** The bytes up to the first newline, across chunks. */
function firstLine(chunks: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const chunk of chunks) {
    const end = chunk.indexOf(NEWLINE);
    parts.push(end >= 0 ? chunk.subarray(0, end) : chunk);
    if (end >= 0) break;
  }
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** The header's checkpoint: a signed note whose first lines are the log's origin and tree size. */
function checkpointOf(header: Uint8Array): AuditExportFile['checkpoint'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(header));
  } catch {
    parsed = undefined;
  }
  const note = (parsed as { checkpoint?: unknown } | undefined)?.checkpoint;
  const [origin, size] = typeof note === 'string' ? note.split('\n') : [];
  if (!origin || !/^\d+$/.test(size ?? ''))
    throw new Error('The export does not start with a signed checkpoint: it cannot be verified.');
  return { origin, size: Number(size) };
}
