/**
 * `npm run figures`: writes docs/figures/*.svg, the lecture's landscapes with the
 * six reference rules' trajectories and the learning-rate schedules (issue 12).
 * spec/figures.spec.ts fails when the committed files differ from what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lectureFigures, MAX_FIGURE_BYTES } from './figures/lecture-figures.js';

const folder = fileURLToPath(new URL('../docs/figures/', import.meta.url));
mkdirSync(folder, { recursive: true });
for (const [name, svg] of await lectureFigures()) {
  const bytes = Buffer.byteLength(svg);
  if (bytes >= MAX_FIGURE_BYTES)
    throw new Error(`docs/figures/${name} is ${bytes} bytes, over the ${MAX_FIGURE_BYTES} limit`);
  writeFileSync(join(folder, name), svg);
  console.log(`docs/figures/${name}: ${(bytes / 1024).toFixed(1)} kB`);
}
