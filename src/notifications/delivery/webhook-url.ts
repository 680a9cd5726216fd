import { ruleViolated } from '../../shared/domain/domain-error';
import { isLoopbackHost, type HostAllowList } from './host-allow-list';

const MAX_URL_LENGTH = 2048;

/**
 * The URL an endpoint may be registered with, normalised (WHATWG parsing: `http://2130706433/`
 * is `http://127.0.0.1/`), or a 422 saying why not. Delivery checks the resolved address again.
 */
export function acceptableWebhookUrl(text: string, allowList: HostAllowList): string {
  if (text.length > MAX_URL_LENGTH)
    throw refused(`The URL is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refused('Not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw refused('Webhooks are delivered over https (http only to a loopback host)');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    throw refused('Plain http is accepted only for a loopback host; use https');
  // Credentials in a URL end up in logs and in every delivery listing; a fragment is never sent.
  if (url.username || url.password) throw refused('The URL may not carry credentials');
  if (url.hash) throw refused('The URL may not carry a fragment');
  if (!allowList.hostAllowed(url.hostname)) {
    throw ruleViolated(
      'webhook-host-not-allowed',
      `Webhooks may not reach ${url.hostname}: the operator lists the hosts webhooks may reach (WEBHOOK_ALLOWED_HOSTS)`,
      { host: url.hostname },
    );
  }
  return url.toString();
}

const refused = (why: string) => ruleViolated('webhook-url-refused', why);
