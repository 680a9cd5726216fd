import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Names that resolve to this machine; reachable only when listed explicitly. */
const LOOPBACK_NAMES = ['localhost'];

/**
 * Which hosts webhooks may reach (WEBHOOK_ALLOWED_HOSTS): host names, `*.suffix` wildcards, IP
 * addresses and CIDR ranges. A webhook URL is a request we make from inside the operator's
 * network on a tenant's say-so, so nothing is reachable unless listed, and a listed *name* only
 * ever reaches public addresses: a name that resolves to a private, loopback or metadata address
 * (DNS rebinding, a stale record) is refused unless that address is itself listed.
 */
export class HostAllowList {
  private constructor(
    private readonly names: ReadonlySet<string>,
    private readonly suffixes: readonly string[],
    private readonly ranges: readonly [Address, number][],
  ) {}

  /** Parses the setting; throws naming the first entry that is neither a name, a wildcard, an IP nor a CIDR. */
  static parse(entries: readonly string[]): HostAllowList {
    const names = new Set<string>();
    const suffixes: string[] = [];
    const ranges: [Address, number][] = [];
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      if (ipaddr.isValidCIDR(entry)) ranges.push(ipaddr.parseCIDR(entry));
      else if (ipaddr.isValid(unbracket(entry))) {
        const address = ipaddr.process(unbracket(entry));
        ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
      } else if (entry.startsWith('*.') && HOST_NAME.test(entry.slice(2)))
        suffixes.push(entry.slice(1));
      else if (HOST_NAME.test(entry)) names.add(entry);
      else throw new Error(`not a host name, *.suffix, IP address or CIDR range: ${raw}`);
    }
    return new HostAllowList(names, suffixes, ranges);
  }

  get empty(): boolean {
    return this.names.size === 0 && this.suffixes.length === 0 && this.ranges.length === 0;
  }

  /** Whether a URL's host (a name or an IP literal) is on the list: checked at registration. */
  hostAllowed(host: string): boolean {
    const normalized = unbracket(host.toLowerCase()).replace(/\.$/, '');
    if (ipaddr.isValid(normalized)) return this.listedAddress(ipaddr.process(normalized));
    return this.listedName(normalized);
  }

  /**
   * Whether a delivery may connect to `address`, which `host` resolved to: checked at every
   * attempt, on the address that will be connected to.
   */
  addressAllowed(host: string, address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    if (this.listedAddress(parsed)) return true;
    const name = unbracket(host.toLowerCase()).replace(/\.$/, '');
    if (ipaddr.isValid(name) || !this.listedName(name)) return false;
    if (LOOPBACK_NAMES.includes(name)) return parsed.range() === 'loopback';
    return parsed.range() === 'unicast';
  }

  private listedName(name: string): boolean {
    return this.names.has(name) || this.suffixes.some((suffix) => name.endsWith(suffix));
  }

  private listedAddress(address: Address): boolean {
    return this.ranges.some(
      ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
    );
  }
}

/** Whether a URL's host is this machine, by name or address (plain http is allowed only there). */
export function isLoopbackHost(host: string): boolean {
  const name = unbracket(host.toLowerCase()).replace(/\.$/, '');
  if (LOOPBACK_NAMES.includes(name)) return true;
  return ipaddr.isValid(name) && ipaddr.process(name).range() === 'loopback';
}

/** RFC 1123 host names: dot-separated labels of letters, digits and inner dashes. */
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const unbracket = (host: string) =>
  host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
