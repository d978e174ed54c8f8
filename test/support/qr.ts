import { crc32, inflateSync } from 'node:zlib';
import jsQRModule from 'jsqr';

/** jsqr is CommonJS with a default export: whichever way the loader hands it over. */
export const jsQR = ((jsQRModule as { default?: unknown }).default ??
  jsQRModule) as typeof jsQRModule.default;

/**
 * What a PNG QR code says: the PNG read back (8-bit greyscale, no interlace, as `qr-png.ts` writes it; every
 * chunk's CRC checked) and decoded with jsQR, an implementation of its own.
 */
export function decodeQrPng(png: Buffer): string | undefined {
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== png.readUInt32BE(offset + 8 + length))
      throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 0) throw new Error('not 8-bit greyscale');
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    if (rows[y * (width + 1)] !== 0) throw new Error('unexpected PNG filter');
    for (let x = 0; x < width; x++) {
      const grey = rows[y * (width + 1) + 1 + x] ?? 255;
      rgba.set([grey, grey, grey, 255], (y * width + x) * 4);
    }
  }
  return jsQR(rgba, width, height)?.data;
}
