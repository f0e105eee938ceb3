import { BlockList, isIP } from 'node:net';

/** The client address without the IPv4-in-IPv6 wrapping Node gives on dual-stack sockets. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Whether a CIDR range ("10.0.0.0/8", "2001:db8::/32", or a single address) is well formed. */
export function isCidr(range: string): boolean {
  const [address = '', bits, ...rest] = range.trim().split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
}

/** True when the list is empty (no restriction) or the address falls in one of its ranges. */
export function allowedBy(ranges: readonly string[], address: string): boolean {
  if (ranges.length === 0) return true;
  const client = plainAddress(address);
  const family = isIP(client);
  if (family === 0) return false;
  const list = new BlockList();
  for (const range of ranges) {
    const [net = '', bits] = range.split('/');
    const type = isIP(net) === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(net, type);
    else list.addSubnet(net, Number(bits), type);
  }
  return list.check(client, family === 4 ? 'ipv4' : 'ipv6');
}
