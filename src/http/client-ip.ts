import { isIP } from 'node:net';

/**
 * The client's address. With `trustedHops` proxies in front, each appending the address it
 * received from to X-Forwarded-For, the client is the entry `trustedHops` places left of the
 * socket's peer: entries further left were written by the client and may be forged. With no
 * trusted proxies the header is ignored. A port after the address is dropped; anything that is
 * not an IP address counts as unknown.
 */
export function resolveClientIp(
  socketAddress: string | null,
  forwardedFor: string | null,
  trustedHops: number,
): string | null {
  if (trustedHops === 0 || forwardedFor === null) return asIp(socketAddress);
  const chain = forwardedFor
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (socketAddress !== null) chain.push(socketAddress);
  const index = Math.max(chain.length - 1 - trustedHops, 0);
  return asIp(chain[index] ?? null);
}

/** The address in `value`, which some proxies write with a port: `1.2.3.4:5678`, `[::1]:443`. */
function asIp(value: string | null): string | null {
  if (value === null) return null;
  if (isIP(value) !== 0) return value;
  const withPort = /^\[([^\]]+)\]:\d{1,5}$|^([^:]+):\d{1,5}$/.exec(value);
  const address = withPort?.[1] ?? withPort?.[2] ?? null;
  return address !== null && isIP(address) !== 0 ? address : null;
}
