import { allowedBy, isCidr, plainAddress } from './ip-allowlist.js';

describe('IP allow-list', () => {
  it('accepts well-formed ranges and single addresses only', () => {
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('192.168.1.10')).toBe(true);
    expect(isCidr('2001:db8::/32')).toBe(true);
    expect(isCidr('10.0.0.0/33')).toBe(false);
    expect(isCidr('comune.it')).toBe(false);
    expect(isCidr('10.0.0.0/8/1')).toBe(false);
  });

  it('lets in addresses inside a range, IPv4 behind IPv6 sockets too, and everyone when empty', () => {
    expect(allowedBy([], '203.0.113.9')).toBe(true);
    expect(allowedBy(['203.0.113.0/24'], '203.0.113.9')).toBe(true);
    expect(allowedBy(['203.0.113.0/24'], '::ffff:203.0.113.9')).toBe(true);
    expect(allowedBy(['203.0.113.0/24'], '198.51.100.1')).toBe(false);
    expect(allowedBy(['2001:db8::/32'], '2001:db8::1')).toBe(true);
    expect(allowedBy(['127.0.0.1'], '127.0.0.1')).toBe(true);
    expect(allowedBy(['127.0.0.1'], 'not-an-ip')).toBe(false);
    expect(plainAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });
});
