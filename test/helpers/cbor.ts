/**
 * The little of CBOR (RFC 8949) a WebAuthn authenticator writes: the attestation object and the
 * COSE_Key inside it. Integers, byte strings, text strings and maps, nothing else: no floats,
 * arrays, tags or indefinite lengths, which neither structure uses.
 *
 * Maps are written in the order their entries were inserted, so the caller writes them in
 * CTAP2's canonical order (shorter encoded keys first, then bytewise), as an authenticator must.
 */
export type CborValue = number | string | Uint8Array | CborMap;

/** A `Map`, not an object: COSE keys are integers, and an object would turn them into text. */
export type CborMap = ReadonlyMap<number | string, CborValue>;

const MAJOR_UNSIGNED = 0;
const MAJOR_NEGATIVE = 1;
const MAJOR_BYTES = 2;
const MAJOR_TEXT = 3;
const MAJOR_MAP = 5;

/** Encodes `value` as definite-length CBOR. */
export function encodeCbor(value: CborValue): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  writeValue(value, parts);
  return new Uint8Array(Buffer.concat(parts));
}

function writeValue(value: CborValue, parts: Uint8Array[]): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`CBOR: ${value} is not a safe integer`);
    // A negative integer n is carried as the unsigned -1 - n under its own major type.
    if (value >= 0) parts.push(head(MAJOR_UNSIGNED, value));
    else parts.push(head(MAJOR_NEGATIVE, -1 - value));
  } else if (typeof value === 'string') {
    const utf8 = Buffer.from(value, 'utf8');
    parts.push(head(MAJOR_TEXT, utf8.length), utf8);
  } else if (value instanceof Uint8Array) {
    parts.push(head(MAJOR_BYTES, value.length), value);
  } else {
    parts.push(head(MAJOR_MAP, value.size));
    for (const [key, entry] of value) {
      writeValue(key, parts);
      writeValue(entry, parts);
    }
  }
}

/**
 * The initial byte (major type in the top 3 bits, then the "additional information") and the
 * argument: below 24 it fits in the initial byte, otherwise 24..27 say it follows in 1, 2, 4 or
 * 8 big-endian bytes, and the shortest form is the one to use.
 */
function head(major: number, argument: number): Uint8Array {
  const type = major << 5;
  if (argument < 24) return Uint8Array.of(type | argument);
  if (argument < 0x100) return Uint8Array.of(type | 24, argument);
  if (argument < 0x10000) {
    const bytes = Buffer.alloc(3);
    bytes[0] = type | 25;
    bytes.writeUInt16BE(argument, 1);
    return bytes;
  }
  if (argument < 0x100000000) {
    const bytes = Buffer.alloc(5);
    bytes[0] = type | 26;
    bytes.writeUInt32BE(argument, 1);
    return bytes;
  }
  const bytes = Buffer.alloc(9);
  bytes[0] = type | 27;
  bytes.writeBigUInt64BE(BigInt(argument), 1);
  return bytes;
}
