import { base64url } from 'jose';
import type { Json } from './graphql-values.js';
import type { TokenCase, TokenMutation, TokenWorkshop } from './jwt-mutations.js';

// Applying the mutations of a token case to the real tokens of the running app.

const encodeJson = (value: unknown): string => base64url.encode(JSON.stringify(value));

/** The JSON type of a value, arrays apart. */
function jsonType(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** `value`, or a wrapping of it, so that its type differs from the claim it replaces. */
function retype(value: Json, original: unknown): Json {
  if (jsonType(value) !== jsonType(original)) return value;
  return jsonType(original) === 'object' ? [value] : { value };
}

function decodeObject(part: string | undefined): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(base64url.decode(part ?? '')));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null; // not a JSON object: the mutation has nothing to change
  }
}

async function applyOne(
  token: string,
  mutation: TokenMutation,
  shop: TokenWorkshop,
  source: string,
): Promise<string> {
  const parts = token.split('.');
  switch (mutation.kind) {
    case 'flip-bit': {
      const bytes = base64urlBytes(parts[mutation.segment]);
      if (bytes.length === 0) return token;
      const bit = mutation.bit % (bytes.length * 8);
      bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      parts[mutation.segment] = base64url.encode(bytes);
      return parts.join('.');
    }
    case 'replace-character': {
      const at = token.length === 0 ? 0 : mutation.at % token.length;
      return token.slice(0, at) + mutation.character + token.slice(at + 1);
    }
    case 'swap-segments': {
      const first = parts[mutation.first] ?? '';
      parts[mutation.first] = parts[mutation.second] ?? '';
      parts[mutation.second] = first;
      return parts.join('.');
    }
    case 'drop-segment':
      return parts.filter((_, index) => index !== mutation.segment).join('.');
    case 'repeat-segment':
      return [...parts.slice(0, mutation.segment + 1), ...parts.slice(mutation.segment)].join('.');
    case 'truncate':
      return token.slice(0, Math.floor((token.length * mutation.keepPerMille) / 1000));
    case 'splice':
      parts[mutation.segment] = shop.token(mutation.from).split('.')[mutation.segment] ?? '';
      return parts.join('.');
    case 'change-claim-type': {
      const index = mutation.part === 'header' ? 0 : 1;
      const object = decodeObject(parts[index]);
      if (object === null || !(mutation.claim in object)) return token;
      // Another type than the real token's, not only than the claim's current one: two changes
      // in a row could otherwise bring a claim back to its real type with another value (a jti
      // of another string), which is a valid token, not a mutated one.
      const real = decodeObject(source.split('.')[index]);
      object[mutation.claim] = retype(
        mutation.value,
        real?.[mutation.claim] ?? object[mutation.claim],
      );
      parts[index] = encodeJson(object);
      const signingInput = `${parts[0] ?? ''}.${parts[1] ?? ''}`;
      return mutation.resign ? `${signingInput}.${await shop.sign(signingInput)}` : parts.join('.');
    }
  }
}

function base64urlBytes(part: string | undefined): Uint8Array {
  try {
    return base64url.decode(part ?? '');
  } catch {
    return new Uint8Array(); // not base64url: nothing to flip
  }
}

/** The token a case sends. */
export async function buildToken(given: TokenCase, shop: TokenWorkshop): Promise<string> {
  if (given.kind === 'random') {
    const signingInput = `${encodeJson(given.header)}.${encodeJson(given.payload)}`;
    if (given.signature === 'empty') return `${signingInput}.`;
    if (given.signature === 'ours') return `${signingInput}.${await shop.sign(signingInput)}`;
    return `${signingInput}.${base64url.encode(signingInput.slice(0, 64))}`;
  }
  const source = shop.token(given.source);
  let token = source;
  for (const mutation of given.mutations) token = await applyOne(token, mutation, shop, source);
  return token;
}
