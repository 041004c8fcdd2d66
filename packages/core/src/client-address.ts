import { isIPv6 } from "node:net";

/**
 * The key a client address is throttled under: an IPv4 address as it is, an IPv6 address by its /64
 * (one subscriber's allocation: else each of its 2^64 addresses would count as a fresh client).
 */
export function addressKey(address: string): string {
  const plain = address.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  if (mapped) return mapped[1];
  if (!isIPv6(plain)) return address;
  const [head, tail] = plain.split("::");
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  // A dotted IPv4 tail fills two groups.
  const width = (parts: string[]) => parts.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const front = groups(head);
  const back = groups(tail);
  const all = [...front, ...Array<string>(8 - width(front) - width(back)).fill("0"), ...back];
  return `${all
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
