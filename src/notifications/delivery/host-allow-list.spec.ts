import { HostAllowList, isLoopbackHost } from './host-allow-list';

describe('webhook host allow-list', () => {
  const list = HostAllowList.parse([
    'hooks.example.com',
    '*.partner.example',
    '127.0.0.1',
    '203.0.113.0/24',
  ]);

  it('allows listed names, wildcard subdomains, listed addresses and ranges', () => {
    for (const host of ['hooks.example.com', 'a.partner.example', '127.0.0.1', '203.0.113.9'])
      expect({ host, allowed: list.hostAllowed(host) }).toEqual({ host, allowed: true });
  });

  it('refuses everything else, and nothing is allowed by default', () => {
    for (const host of [
      'example.com',
      'partner.example',
      'evilhooks.example.com',
      '127.0.0.2',
      '::1',
      '10.0.0.1',
    ])
      expect({ host, allowed: list.hostAllowed(host) }).toEqual({ host, allowed: false });
    expect(HostAllowList.parse([]).hostAllowed('127.0.0.1')).toBe(false);
    expect(HostAllowList.parse([]).empty).toBe(true);
  });

  it('lets a listed name reach public addresses only: DNS rebinding to an inside address is refused', () => {
    const names = HostAllowList.parse(['hooks.example.com']);
    expect(names.addressAllowed('hooks.example.com', '93.184.216.34')).toBe(true);
    for (const inside of [
      '127.0.0.1',
      '10.1.2.3',
      '169.254.169.254',
      '192.168.0.1',
      '100.64.0.1',
      '::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '0.0.0.0',
    ])
      expect({ inside, allowed: names.addressAllowed('hooks.example.com', inside) }).toEqual({
        inside,
        allowed: false,
      });
  });

  it('lets an address reach only itself or a listed range; an unlisted name reaches nothing', () => {
    expect(list.addressAllowed('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(list.addressAllowed('unlisted.example', '93.184.216.34')).toBe(false);
  });

  it('allows loopback for the name localhost only when it is listed', () => {
    expect(HostAllowList.parse(['localhost']).addressAllowed('localhost', '127.0.0.1')).toBe(true);
    expect(HostAllowList.parse(['localhost']).addressAllowed('localhost', '10.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });

  it('refuses an entry that is no host, wildcard, address or range', () => {
    expect(() => HostAllowList.parse(['http://x'])).toThrow(/http:\/\/x/);
    expect(() => HostAllowList.parse(['*'])).toThrow();
  });
});
