import { describe, expect, it } from 'vitest';
import { resolveClientIp } from '../../src/http/client-ip.js';

describe('resolveClientIp', () => {
  it('ignores X-Forwarded-For when no proxy is trusted', () => {
    expect(resolveClientIp('10.0.0.2', '203.0.113.7', 0)).toBe('10.0.0.2');
  });

  it('takes the address the trusted proxy saw, not what the client wrote', () => {
    // The client forged the first entry; our one proxy appended the real peer.
    expect(resolveClientIp('10.0.0.2', '6.6.6.6, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(resolveClientIp('10.0.0.3', '6.6.6.6, 203.0.113.7, 10.0.0.2', 2)).toBe('203.0.113.7');
  });

  it('falls back to the leftmost entry when the chain is shorter than the hops', () => {
    expect(resolveClientIp('10.0.0.2', '203.0.113.7', 3)).toBe('203.0.113.7');
  });

  it('uses the socket address when the header is absent', () => {
    expect(resolveClientIp('10.0.0.2', null, 1)).toBe('10.0.0.2');
  });

  it('drops a port some proxies append', () => {
    expect(resolveClientIp('10.0.0.2', '203.0.113.7:51234', 1)).toBe('203.0.113.7');
    expect(resolveClientIp('10.0.0.2', '[2001:db8::7]:443', 1)).toBe('2001:db8::7');
    expect(resolveClientIp('10.0.0.2', 'evil:80', 1)).toBeNull();
  });

  it('treats a chosen entry that is not an IP address as unknown', () => {
    expect(resolveClientIp('10.0.0.2', 'evil<script>', 1)).toBeNull();
    expect(resolveClientIp(null, null, 0)).toBeNull();
  });
});
