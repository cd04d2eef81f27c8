import { randomBytes } from 'node:crypto';

/**
 * ECDSA over a caller-supplied digest (Sign/Verify with MessageType DIGEST). Node's crypto always hashes its input
 * for EC keys, so the digest form needs the curve arithmetic itself: short-Weierstrass curves in Jacobian
 * coordinates with BigInt. Only DIGEST requests take this path; RAW messages use Node's crypto. Tests check every
 * curve against Node's own verifier.
 */

interface Curve {
  p: bigint;
  a: bigint;
  b: bigint;
  n: bigint;
  gx: bigint;
  gy: bigint;
  bytes: number;
}

const h = (s: string) => BigInt(`0x${s}`);

const P256_P = h('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff');
const P384_P = h('fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff');
const P521_P = (1n << 521n) - 1n;

export const CURVES: Record<string, Curve> = {
  prime256v1: {
    p: P256_P,
    a: P256_P - 3n,
    b: h('5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
    n: h('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
    gx: h('6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296'),
    gy: h('4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5'),
    bytes: 32,
  },
  secp384r1: {
    p: P384_P,
    a: P384_P - 3n,
    b: h('b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef'),
    n: h('ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973'),
    gx: h('aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7'),
    gy: h('3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f'),
    bytes: 48,
  },
  secp521r1: {
    p: P521_P,
    a: P521_P - 3n,
    b: h(
      '0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00',
    ),
    n: h(
      '01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
    ),
    gx: h(
      '00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66',
    ),
    gy: h(
      '011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650',
    ),
    bytes: 66,
  },
  secp256k1: {
    p: h('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f'),
    a: 0n,
    b: 7n,
    n: h('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141'),
    gx: h('79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'),
    gy: h('483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8'),
    bytes: 32,
  },
};

type Jac = [bigint, bigint, bigint];

const mod = (x: bigint, m: bigint) => {
  const r = x % m;
  return r < 0n ? r + m : r;
};

export function modInv(x: bigint, m: bigint): bigint {
  let [a, b] = [mod(x, m), m];
  let [u, v] = [1n, 0n];
  while (a !== 0n) {
    const q = b / a;
    [a, b] = [b - q * a, a];
    [u, v] = [v - q * u, u];
  }
  return mod(v, m);
}

function double(c: Curve, [x, y, z]: Jac): Jac {
  if (y === 0n || z === 0n) return [0n, 1n, 0n];
  const { p } = c;
  const yy = (y * y) % p;
  const s = (4n * x * yy) % p;
  const zz = (z * z) % p;
  const m = mod(3n * x * x + c.a * ((zz * zz) % p), p);
  const x3 = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - x3) - 8n * yy * yy, p);
  const z3 = (2n * y * z) % p;
  return [x3, y3, z3];
}

function add(c: Curve, P: Jac, Q: Jac): Jac {
  if (P[2] === 0n) return Q;
  if (Q[2] === 0n) return P;
  const { p } = c;
  const z1z1 = (P[2] * P[2]) % p;
  const z2z2 = (Q[2] * Q[2]) % p;
  const u1 = (P[0] * z2z2) % p;
  const u2 = (Q[0] * z1z1) % p;
  const s1 = (P[1] * Q[2] * z2z2) % p;
  const s2 = (Q[1] * P[2] * z1z1) % p;
  if (u1 === u2) return s1 === s2 ? double(c, P) : [0n, 1n, 0n];
  const hh = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const h2 = (hh * hh) % p;
  const h3 = (h2 * hh) % p;
  const u1h2 = (u1 * h2) % p;
  const x3 = mod(r * r - h3 - 2n * u1h2, p);
  const y3 = mod(r * (u1h2 - x3) - s1 * h3, p);
  const z3 = (hh * P[2] * Q[2]) % p;
  return [x3, y3, z3];
}

function multiply(c: Curve, k: bigint, P: Jac): Jac {
  let R: Jac = [0n, 1n, 0n];
  let A = P;
  while (k > 0n) {
    if (k & 1n) R = add(c, R, A);
    A = double(c, A);
    k >>= 1n;
  }
  return R;
}

function affineX(c: Curve, P: Jac): bigint | undefined {
  if (P[2] === 0n) return undefined;
  const zi = modInv(P[2], c.p);
  return (P[0] * zi * zi) % c.p;
}

/** Affine coordinates of k·G (used by tests to check the curve constants against Node). */
export function multiplyBase(curveName: string, k: bigint): { x: bigint; y: bigint } | undefined {
  const c = CURVES[curveName]!;
  const P = multiply(c, k, [c.gx, c.gy, 1n]);
  if (P[2] === 0n) return undefined;
  const zi = modInv(P[2], c.p);
  return { x: (P[0] * zi * zi) % c.p, y: (P[1] * zi * zi * zi) % c.p };
}

/** The leftmost bits of the digest, as FIPS 186-4 §6.4 requires when it is longer than the group order. */
function digestInt(c: Curve, digest: Buffer): bigint {
  let e = BigInt(`0x${digest.toString('hex') || '0'}`);
  const nBits = c.n.toString(2).length;
  const dBits = digest.length * 8;
  if (dBits > nBits) e >>= BigInt(dBits - nBits);
  return e;
}

function randomScalar(c: Curve): bigint {
  for (;;) {
    const k = BigInt(`0x${randomBytes(c.bytes + 8).toString('hex')}`) % c.n;
    if (k !== 0n) return k;
  }
}

export function signDigest(curveName: string, d: bigint, digest: Buffer): Buffer {
  const c = CURVES[curveName]!;
  const e = digestInt(c, digest);
  for (;;) {
    const k = randomScalar(c);
    const x = affineX(c, multiply(c, k, [c.gx, c.gy, 1n]));
    if (x === undefined) continue;
    const r = x % c.n;
    if (r === 0n) continue;
    const s = (modInv(k, c.n) * (e + r * d)) % c.n;
    if (s === 0n) continue;
    return derSignature(r, s);
  }
}

export function verifyDigest(curveName: string, qx: bigint, qy: bigint, digest: Buffer, signature: Buffer): boolean {
  const c = CURVES[curveName]!;
  const rs = parseDerSignature(signature);
  if (!rs) return false;
  const [r, s] = rs;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  const e = digestInt(c, digest);
  const w = modInv(s, c.n);
  const u1 = (e * w) % c.n;
  const u2 = (r * w) % c.n;
  const X = add(c, multiply(c, u1, [c.gx, c.gy, 1n]), multiply(c, u2, [qx, qy, 1n]));
  const x = affineX(c, X);
  return x !== undefined && x % c.n === r;
}

function derInt(v: bigint): Buffer {
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02]), derLen(bytes.length), bytes]);
}

function derLen(n: number): Buffer {
  return n < 128 ? Buffer.from([n]) : Buffer.from([0x81, n]);
}

export function derSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInt(r), derInt(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLen(body.length), body]);
}

export function parseDerSignature(sig: Buffer): [bigint, bigint] | undefined {
  let i = 0;
  const readLen = (): number | undefined => {
    const first = sig[i++];
    if (first === undefined) return undefined;
    if (first < 128) return first;
    if (first !== 0x81) return undefined;
    return sig[i++];
  };
  if (sig[i++] !== 0x30) return undefined;
  const total = readLen();
  if (total === undefined || i + total !== sig.length) return undefined;
  const ints: bigint[] = [];
  for (let k = 0; k < 2; k++) {
    if (sig[i++] !== 0x02) return undefined;
    const len = readLen();
    if (!len || i + len > sig.length) return undefined;
    ints.push(BigInt(`0x${sig.toString('hex', i, i + len)}`));
    i += len;
  }
  return i === sig.length ? [ints[0]!, ints[1]!] : undefined;
}

export function b64urlToBig(text: string): bigint {
  return BigInt(`0x${Buffer.from(text, 'base64url').toString('hex') || '0'}`);
}
