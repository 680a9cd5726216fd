const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The simulator generates load and keys: it talks to a service on this machine only. */
export function assertLoopback(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`${url} is not an http(s) URL`);
  if (!LOOPBACK_HOSTS.has(parsed.hostname))
    throw new Error(
      `The device simulator talks to loopback addresses only, not ${parsed.hostname}`,
    );
  return parsed;
}
