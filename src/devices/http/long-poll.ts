/**
 * `Prefer: wait=N` (RFC 7240): how long the device is willing to wait for a newer bundle,
 * bounded by the service's maximum. Anything unparseable is ignored, as RFC 7240 asks of
 * preferences a server does not understand.
 */
export function preferredWaitSeconds(prefer: string | undefined, maxSeconds: number): number {
  if (!prefer) return 0;
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?(?=$|[,;\s])/i.exec(prefer);
  return match ? Math.min(Number(match[1]), maxSeconds) : 0;
}
