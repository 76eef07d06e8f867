import type { Plugin } from 'graphql-yoga';
import { refusal } from './refusal.js';

/**
 * Refuses oversized bodies before anything reads them: a body must declare its Content-Length
 * (413 above `maxBytes`, 411 without it). Node's HTTP parser holds the body to that length.
 */
export function useRequestBodyLimit(maxBytes: number): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') {
        return;
      }
      const declared = request.headers.get('content-length');
      if (declared === null) {
        if (request.body !== null) endResponse(refusal(fetchAPI.Response, 411, 'LENGTH_REQUIRED'));
        return;
      }
      const length = /^\d{1,16}$/.test(declared) ? Number(declared) : Number.NaN;
      if (!(length <= maxBytes)) endResponse(refusal(fetchAPI.Response, 413, 'REQUEST_TOO_LARGE'));
    },
  };
}
