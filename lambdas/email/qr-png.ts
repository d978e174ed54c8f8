import { crc32, deflateSync } from 'node:zlib';
import { encode } from 'uqr';

/**
 * A QR code as a PNG image for emails (mail clients show PNG; many block SVG). uqr computes the modules; the PNG
 * is written here with `node:zlib` (deflate and CRC-32): an 8-bit greyscale image, black on white, with a quiet
 * zone of four modules. No image library, so the email bundles stay small.
 */

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** `text` as a QR code (error correction M), `pixelsPerModule` pixels per module. */
export function qrCodePng(text: string, pixelsPerModule = 6): Buffer {
  const { data } = encode(text, { ecc: 'M', border: 4 });
  const size = data.length * pixelsPerModule;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  // Compression, filter and interlace methods: 0 (the only ones PNG defines, no interlace).
  const rows = Buffer.alloc((size + 1) * size, 0xff);
  for (let y = 0; y < size; y++) {
    const row = data[Math.floor(y / pixelsPerModule)] ?? [];
    const start = y * (size + 1);
    rows[start] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      if (row[Math.floor(x / pixelsPerModule)]) rows[start + 1 + x] = 0;
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
