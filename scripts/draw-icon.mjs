// Draws the Marketplace icon, media/icon.png (128×128), from nothing but numbers: a powder
// pattern (the activity-bar icon's peaks, media/latent-xrd.svg) over three clusters of latent
// points, on a dark rounded square. Run `node scripts/draw-icon.mjs` after changing it; the PNG
// is committed so packaging needs no drawing step. Original artwork, no third-party image.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SUPERSAMPLE = 4; // 4×4 samples per pixel: smooth edges without an anti-aliasing rasteriser
const N = SIZE * SUPERSAMPLE;

/** RGBA, premultiplied-free, one float array per channel, at supersampled resolution. */
const canvas = new Float32Array(N * N * 4);

function blend(x, y, [r, g, b], alpha) {
  if (x < 0 || y < 0 || x >= N || y >= N || alpha <= 0) return;
  const i = (y * N + x) * 4;
  const a0 = canvas[i + 3];
  const a = alpha + a0 * (1 - alpha);
  canvas[i] = (r * alpha + canvas[i] * a0 * (1 - alpha)) / a;
  canvas[i + 1] = (g * alpha + canvas[i + 1] * a0 * (1 - alpha)) / a;
  canvas[i + 2] = (b * alpha + canvas[i + 2] * a0 * (1 - alpha)) / a;
  canvas[i + 3] = a;
}

/** Fills every sample whose centre (in 0…SIZE icon units) satisfies `inside`. */
function fill(colour, alpha, inside) {
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      if (inside((x + 0.5) / SUPERSAMPLE, (y + 0.5) / SUPERSAMPLE)) blend(x, y, colour, alpha);
    }
  }
}

const hex = (s) => [1, 3, 5].map((k) => parseInt(s.slice(k, k + 2), 16) / 255);

// Background: a rounded square, dark blue to slate from top to bottom.
const radius = 22;
const inRoundedSquare = (x, y) => {
  const cx = Math.min(Math.max(x, radius), SIZE - radius);
  const cy = Math.min(Math.max(y, radius), SIZE - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
};
for (let band = 0; band < SIZE; band++) {
  const t = band / (SIZE - 1);
  const top = hex('#17223b');
  const bottom = hex('#24385e');
  const colour = top.map((c, k) => c + (bottom[k] - c) * t);
  fill(colour, 1, (x, y) => y >= band && y < band + 1 && inRoundedSquare(x, y));
}

// Latent points: three Gaussian clusters (the known phases) and one point apart (a novel pattern).
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
const clusters = [
  { x: 38, y: 42, colour: hex('#4cc9f0') },
  { x: 64, y: 30, colour: hex('#80ed99') },
  { x: 90, y: 44, colour: hex('#ffd166') },
];
const dot = (px, py, r, colour, alpha) => fill(colour, alpha, (x, y) => (x - px) ** 2 + (y - py) ** 2 <= r * r);
for (const c of clusters) {
  for (let k = 0; k < 14; k++) dot(c.x + 5 * gaussian(), c.y + 4 * gaussian(), 2.2, c.colour, 0.85);
}
dot(104, 20, 4.2, hex('#ef476f'), 1);

// The pattern: a baseline with five sharp peaks (pseudo-Voigt-like), drawn as a thick line.
const peaks = [
  [30, 42, 2.2],
  [48, 22, 1.8],
  [64, 58, 2.0],
  [84, 30, 2.0],
  [100, 16, 1.6],
];
const baseline = 108;
const profile = (x) => baseline - peaks.reduce((sum, [centre, height, width]) => sum + height / (1 + ((x - centre) / width) ** 2), 0);
const lineWidth = 2.6;
const white = hex('#f4f7fb');
// Distance to the polyline, sampled finely: the curve is steep at the peaks.
const samples = [];
for (let x = 14; x <= 114; x += 0.05) samples.push([x, profile(x)]);
fill(white, 1, (x, y) => {
  if (x < 12 || x > 116) return false;
  for (const [sx, sy] of samples) if (Math.abs(sx - x) <= lineWidth && (sx - x) ** 2 + (sy - y) ** 2 <= (lineWidth / 2) ** 2) return true;
  return false;
});

// Downsample to 8-bit RGBA.
const pixels = Buffer.alloc(SIZE * SIZE * 4);
for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SUPERSAMPLE; sy++) {
      for (let sx = 0; sx < SUPERSAMPLE; sx++) {
        const i = ((y * SUPERSAMPLE + sy) * N + x * SUPERSAMPLE + sx) * 4;
        const a = canvas[i + 3];
        sum[0] += canvas[i] * a;
        sum[1] += canvas[i + 1] * a;
        sum[2] += canvas[i + 2] * a;
        sum[3] += a;
      }
    }
    const o = (y * SIZE + x) * 4;
    const alpha = sum[3] / SUPERSAMPLE ** 2;
    for (let k = 0; k < 3; k++) pixels[o + k] = sum[3] > 0 ? Math.round((sum[k] / sum[3]) * 255) : 0;
    pixels[o + 3] = Math.round(alpha * 255);
  }
}

// PNG: signature, IHDR, one IDAT (filter byte 0 per row), IEND.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const rows = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) pixels.copy(rows, y * (SIZE * 4 + 1) + 1, y * SIZE * 4, (y + 1) * SIZE * 4);
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(rows, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const target = new URL('../media/icon.png', import.meta.url);
writeFileSync(target, png);
console.log(`wrote ${target.pathname} (${png.length} bytes)`);
