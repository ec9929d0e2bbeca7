/**
 * A small synchronous PNG encoder for palette images (colour type 3, 8 bits), pure TypeScript so the same
 * bytes come out in Node and in the browser. The deflate stream uses the fixed Huffman code with two kinds of
 * match, which is all a nearest-neighbour upscaled raster needs: a run of the same index (distance 1) and a
 * copy of the scanline above (distance = stride).
 */
import { concatBytes } from '../format/onnx/wire';

const LEN_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
  6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

class BitWriter {
  bytes: number[] = [];
  private acc = 0;
  private n = 0;
  /** Write `count` bits of `value`, least significant first (deflate's order for extra bits and headers). */
  bits(value: number, count: number): void {
    for (let i = 0; i < count; i++) {
      this.acc |= ((value >>> i) & 1) << this.n;
      if (++this.n === 8) this.flush();
    }
  }
  /** Write a Huffman code, most significant bit first. */
  code(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) this.bits((value >>> i) & 1, 1);
  }
  flush(): void {
    if (this.n === 0) return;
    this.bytes.push(this.acc);
    this.acc = 0;
    this.n = 0;
  }
}

function symbol(w: BitWriter, v: number): void {
  if (v < 144) w.code(0x30 + v, 8);
  else if (v < 256) w.code(0x190 + v - 144, 9);
  else if (v < 280) w.code(v - 256, 7);
  else w.code(0xc0 + v - 280, 8);
}

function match(w: BitWriter, length: number, distance: number): void {
  let li = LEN_BASE.length - 1;
  while (LEN_BASE[li] > length) li--;
  symbol(w, 257 + li);
  w.bits(length - LEN_BASE[li], LEN_EXTRA[li]);
  let di = DIST_BASE.length - 1;
  while (DIST_BASE[di] > distance) di--;
  w.code(di, 5);
  w.bits(distance - DIST_BASE[di], DIST_EXTRA[di]);
}

/** zlib stream (one fixed-Huffman block) of `data`; `stride` is the scanline length for row matches. */
export function zlibFixed(data: Uint8Array, stride: number): Uint8Array {
  const w = new BitWriter();
  w.bytes.push(0x78, 0x01);
  w.bits(1, 1); // final block
  w.bits(1, 2); // fixed Huffman
  const n = data.length;
  let i = 0;
  while (i < n) {
    const max = Math.min(258, n - i);
    let len = 0;
    let dist = 0;
    if (stride <= 32768 && i >= stride) {
      while (len < max && data[i + len] === data[i + len - stride]) len++;
      dist = stride;
    }
    if (len < 3 && i >= 1) {
      len = 0;
      while (len < max && data[i + len] === data[i - 1]) len++;
      dist = 1;
    }
    if (len >= 3) {
      match(w, len, dist);
      i += len;
    } else {
      symbol(w, data[i]);
      i++;
    }
  }
  symbol(w, 256);
  w.flush();
  let a = 1;
  let b = 0;
  for (let k = 0; k < n; k++) {
    a = (a + data[k]) % 65521;
    b = (b + a) % 65521;
  }
  w.bytes.push((b >>> 8) & 255, b & 255, (a >>> 8) & 255, a & 255);
  return Uint8Array.from(w.bytes);
}

let crcTable: Uint32Array | null = null;
function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (const x of bytes) c = crcTable[(c ^ x) & 255] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** PNG of a palette image: `index[y * width + x]` into `palette` (RGB triples, at most 256). */
export function palettePng(
  index: Uint8Array,
  width: number,
  height: number,
  palette: number[][],
): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr.set([8, 3, 0, 0, 0], 8);
  const plte = Uint8Array.from(palette.flat());
  const stride = width + 1;
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) raw.set(index.subarray(y * width, (y + 1) * width), y * stride + 1);
  return concatBytes([
    Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('PLTE', plte),
    chunk('IDAT', zlibFixed(raw, stride)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * `png` with its resolution recorded: a pHYs chunk (pixels per metre) for `scale` × 96 dpi, put right after
 * IHDR (replacing one already there), so a word processor places the figure at its size in points. The CLI
 * (after resvg) and the page (after the canvas) both call it.
 */
export function withDpi(png: Uint8Array, scale: number): Uint8Array {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const afterIhdr = 8 + 12 + view.getUint32(8);
  let rest = afterIhdr;
  if (String.fromCharCode(...png.subarray(rest + 4, rest + 8)) === 'pHYs') rest += 12 + view.getUint32(rest);
  const body = new Uint8Array(9);
  const ppm = Math.round((scale * 96) / 0.0254);
  new DataView(body.buffer).setUint32(0, ppm);
  new DataView(body.buffer).setUint32(4, ppm);
  body[8] = 1; // unit: metre
  return concatBytes([png.subarray(0, afterIhdr), chunk('pHYs', body), png.subarray(rest)]);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += B64[n >>> 18] + B64[(n >>> 12) & 63] + B64[(n >>> 6) & 63] + B64[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    s += `${B64[n >>> 18]}${B64[(n >>> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    s += `${B64[n >>> 18]}${B64[(n >>> 12) & 63]}${B64[(n >>> 6) & 63]}=`;
  }
  return s;
}
