import { percentile } from './load';

export interface AuditPageFigures {
  /** Sequential requests measured (after a few unmeasured ones). */
  requests: number;
  p50Ms: number;
  maxMs: number;
  /** Entries on the page (the page is full: the party acted more often than that). */
  entries: number;
}

const WARM_UP = 3;
const MEASURED = 20;

/**
 * The first page of one party's acts in the audit view, one request at a time: what an auditor's
 * screen or an export asks for. Its cost should not grow with the history before or after it.
 */
export async function auditPartyPage(
  base: string,
  token: string,
  partyId: string,
  limit = 100,
): Promise<AuditPageFigures> {
  const latencies: number[] = [];
  let entries = 0;
  for (let request = 0; request < WARM_UP + MEASURED; request++) {
    const started = performance.now();
    const response = await fetch(`${base}/v1/audit?party=${partyId}&limit=${limit}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { items?: unknown[] };
    const elapsed = performance.now() - started;
    if (response.status !== 200 || !Array.isArray(body.items))
      throw new Error(
        `audit page of ${partyId}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`,
      );
    entries = body.items.length;
    if (request >= WARM_UP) latencies.push(elapsed);
  }
  latencies.sort((a, b) => a - b);
  return {
    requests: MEASURED,
    p50Ms: percentile(latencies, 0.5),
    maxMs: latencies[latencies.length - 1],
    entries,
  };
}
