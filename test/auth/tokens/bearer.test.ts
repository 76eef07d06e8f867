import { describe, expect, it } from 'vitest';
import {
  MAX_AUTHORIZATION_HEADER_LENGTH,
  readBearerToken,
} from '../../../src/auth/tokens/bearer.js';

describe('readBearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc.def.ghi', 'abc.def.ghi'],
    ['BEARER   abc-_.def ', 'abc-_.def'],
  ])('reads %j', (header, token) => {
    expect(readBearerToken(header)).toEqual({ ok: true, value: token });
  });

  it.each([null, '', '   ', 'Bearer', 'Bearer ', 'Bearer\t'])(
    'reports %j as TOKEN_MISSING',
    (header) => {
      expect(readBearerToken(header)).toEqual({ ok: false, failure: 'TOKEN_MISSING' });
    },
  );

  it.each([
    'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
    'Bearer a b',
    'Bearer <script>',
    'Bearer tok"en',
    'Token abc',
    `Bearer ${'a'.repeat(MAX_AUTHORIZATION_HEADER_LENGTH)}`,
  ])('reports %j as TOKEN_INVALID', (header) => {
    expect(readBearerToken(header)).toEqual({ ok: false, failure: 'TOKEN_INVALID' });
  });
});
