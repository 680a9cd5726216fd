import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { HostAllowList } from './host-allow-list';

/** Why an attempt failed, as a fixed word the delivery list may show (never a library's text). */
export type AttemptError =
  'timeout' | 'connection-failed' | 'dns-failed' | 'address-not-allowed' | 'http-status';

export type AttemptResult =
  { ok: true; status: number } | { ok: false; status: number | null; error: AttemptError };

export interface SignedDelivery {
  url: string;
  /** `webhook-id`: the same on every attempt of one delivery. */
  deliveryId: string;
  secret: string;
  /** The JSON body, sent byte for byte as signed. */
  payload: string;
}

/**
 * One attempt of one delivery, after the Standard Webhooks specification. The host is resolved
 * here, every address is checked against the allow-list (DNS rebinding: a name that was public
 * at registration may point inside later), and the connection goes to the checked address
 * itself, with the name kept for the Host header and TLS, so no second lookup can differ.
 * Redirects are not followed.
 */
export class WebhookSender {
  constructor(
    private readonly allowList: HostAllowList,
    private readonly timeoutMs: number,
    private readonly resolve: (host: string) => Promise<string[]> = resolveAll,
  ) {}

  async attempt(delivery: SignedDelivery, now: Date): Promise<AttemptResult> {
    const url = new URL(delivery.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await this.resolve(host);
    } catch {
      return { ok: false, status: null, error: 'dns-failed' };
    }
    // Every address, not just the first: an attacker's name may answer a public and a private one.
    if (addresses.length === 0 || !addresses.every((a) => this.allowList.addressAllowed(host, a)))
      return { ok: false, status: null, error: 'address-not-allowed' };
    const signature = new Webhook(delivery.secret).sign(delivery.deliveryId, now, delivery.payload);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(delivery.payload)),
      'user-agent': 'battery-keys-webhooks/1',
      'webhook-id': delivery.deliveryId,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
      host: url.host,
    };
    return this.post(url, addresses[0], headers, delivery.payload);
  }

  private post(
    url: URL,
    address: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<AttemptResult> {
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        resolve(result);
      };
      const request = send(
        {
          host: address,
          port: url.port || (secure ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers,
          // TLS checks the certificate against the name, not the address we connect to.
          ...(secure && !isIP(url.hostname.replace(/^\[|\]$/g, ''))
            ? { servername: url.hostname }
            : {}),
          agent: false,
        },
        (response: IncomingMessage) => {
          const status = response.statusCode ?? 0;
          // The answer's body is not ours to keep: drop it.
          response.resume();
          finish(
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, status, error: 'http-status' },
          );
        },
      );
      const timer = setTimeout(
        () => finish({ ok: false, status: null, error: 'timeout' }),
        this.timeoutMs,
      );
      request.on('error', () => finish({ ok: false, status: null, error: 'connection-failed' }));
      request.end(body);
    });
  }
}

async function resolveAll(host: string): Promise<string[]> {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((answer) => answer.address);
}
