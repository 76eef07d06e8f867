import { isIP } from 'node:net';

/**
 * The client's address. With `trustedHops` proxies in front, each appending the address it
 * received from to X-Forwarded-For, the client is the entry `trustedHops` places left of the
 * socket's peer: entries further left were written by the client and may be forged. With no
 * trusted proxies the header is ignored. Anything that is not an IP address counts as unknown.
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

function asIp(value: string | null): string | null {
  return value !== null && isIP(value) !== 0 ? value : null;
}
