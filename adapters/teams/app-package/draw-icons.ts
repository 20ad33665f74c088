import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

// Draws the two icons Teams requires (run once; the PNGs are committed): a 192×192 full-colour icon and a 32×32
// outline icon that is white on transparent. The motif: two overlapping chat bubbles, app and API on one number.

type RGBA = [number, number, number, number];

function draw(size: number, pixel: (x: number, y: number) => RGBA): Buffer {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5);
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = a;
    }
  }
  return PNG.sync.write(png);
}

const inCircle = (x: number, y: number, cx: number, cy: number, r: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

export const colorIcon = draw(192, (x, y) => {
  const s = 192;
  if (inCircle(x, y, s * 0.4, s * 0.42, s * 0.26)) return [255, 255, 255, 255];
  if (inCircle(x, y, s * 0.62, s * 0.6, s * 0.24)) return [220, 248, 198, 255];
  return [11, 93, 59, 255]; // background: the manifest's accent colour #0b5d3b
});

export const outlineIcon = draw(32, (x, y) => {
  const ring = (cx: number, cy: number, r: number) => inCircle(x, y, cx, cy, r) && !inCircle(x, y, cx, cy, r - 2.2);
  return ring(12.5, 13, 8.5) || ring(19.5, 19.5, 8) ? [255, 255, 255, 255] : [0, 0, 0, 0];
});

if (process.argv[1]?.endsWith('draw-icons.ts')) {
  writeFileSync(new URL('./color.png', import.meta.url), colorIcon);
  writeFileSync(new URL('./outline.png', import.meta.url), outlineIcon);
  console.log('wrote color.png (192×192) and outline.png (32×32)');
}
