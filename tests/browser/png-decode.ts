import { inflateSync } from 'node:zlib';

/**
 * A PNG decoder for the tests (8-bit greyscale, RGB, palette, grey+alpha or RGBA, not interlaced: what
 * chromium's canvas and resvg write) into RGBA, composited over white where there is alpha.
 */
export function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let type = 0;
  let palette: Buffer | null = null;
  const idat: Buffer[] = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const kind = buf.toString('latin1', off + 4, off + 8);
    const body = buf.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      type = body[9];
      if (body[8] !== 8) throw new Error(`bit depth ${body[8]} not supported`);
      if (body[12] !== 0) throw new Error('interlaced PNG not supported');
    } else if (kind === 'PLTE') palette = body;
    else if (kind === 'IDAT') idat.push(body);
    else if (kind === 'IEND') break;
    off += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[type];
  if (!channels) throw new Error(`colour type ${type} not supported`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[y * stride + x - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
      let p = line[x];
      if (filter === 1) p += a;
      else if (filter === 2) p += b;
      else if (filter === 3) p += (a + b) >> 1;
      else if (filter === 4) {
        const q = a + b - c;
        const [pa, pb, pc] = [Math.abs(q - a), Math.abs(q - b), Math.abs(q - c)];
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      px[y * stride + x] = p & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    let rgb: number[];
    let alpha = 255;
    const s = i * channels;
    if (type === 0) rgb = [px[s], px[s], px[s]];
    else if (type === 4) [rgb, alpha] = [[px[s], px[s], px[s]], px[s + 1]];
    else if (type === 3) rgb = [palette![px[s] * 3], palette![px[s] * 3 + 1], palette![px[s] * 3 + 2]];
    else if (type === 2) rgb = [px[s], px[s + 1], px[s + 2]];
    else [rgb, alpha] = [[px[s], px[s + 1], px[s + 2]], px[s + 3]];
    for (let c = 0; c < 3; c++) rgba[i * 4 + c] = Math.round((rgb[c] * alpha + 255 * (255 - alpha)) / 255);
    rgba[i * 4 + 3] = 255;
  }
  return { width, height, rgba };
}
