import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { closedLoopPath, figureConfigs, LANDSCAPE_FIGURES } from '../scripts/figures/landscape-figures.js';
import { lectureFigures, MAX_FIGURE_BYTES } from '../scripts/figures/lecture-figures.js';

const folder = fileURLToPath(new URL('../docs/figures/', import.meta.url));

interface TextBox {
  text: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The figures' direct labels as the SVG draws them (bold 11 px text, left-aligned,
 * at its baseline): boxes from the ascent (0.75 em above the baseline) to the
 * descent (0.25 em below), 0.62 em per character of bold sans-serif.
 */
function endLabels(svg: string): TextBox[] {
  const pattern =
    /<text text-anchor="start" transform="translate\(([-\d.]+),([-\d.]+)\)" font-family="sans-serif" font-size="11px" font-weight="bold" fill="#[0-9A-F]{6}">([^<]+)<\/text>/g;
  return [...svg.matchAll(pattern)].map(([, x, y, text]) => ({
    text: text!,
    left: Number(x),
    right: Number(x) + 11 * 0.62 * Array.from(text!).length,
    top: Number(y) - 11 * 0.75,
    bottom: Number(y) + 11 * 0.25,
  }));
}

/** The plot's point marks (the legend's symbols have a stroke of their own): their centres. */
function markers(svg: string): { x: number; y: number }[] {
  const pattern =
    /<path transform="translate\(([-\d.]+),([-\d.]+)\)" d="[^"]*" fill="#[0-9A-F]{6}" stroke-width="2" opacity="0.7"\/>/g;
  return [...svg.matchAll(pattern)].map(([, x, y]) => ({ x: Number(x), y: Number(y) }));
}

const overlap = (a: TextBox, b: TextBox) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const covers = (a: TextBox, p: { x: number; y: number }) =>
  p.x > a.left && p.x < a.right && p.y > a.top && p.y < a.bottom;

describe('docs/figures (npm run figures)', () => {
  test('the committed figures are what the reference draws now, byte for byte, each under 200 kB', async () => {
    const figures = await lectureFigures();
    expect(readdirSync(folder).sort()).toEqual(figures.map(([name]) => name).sort());
    for (const [name, svg] of figures) {
      expect(svg, `docs/figures/${name} is stale: run npm run figures and commit it`).toBe(
        readFileSync(`${folder}${name}`, 'utf8'),
      );
      expect(Buffer.byteLength(svg)).toBeLessThan(MAX_FIGURE_BYTES);
      expect(svg).toMatch(
        new RegExp(
          `^<svg [^>]*id="${name.replace('.svg', '')}" role="img" aria-labelledby="[^"]+-title" aria-describedby="[^"]+-desc"><title`,
        ),
      );
      expect(svg).not.toMatch(/\d{4}-\d\d-\d\dT/); // no dates
    }
  });

  test('the direct labels of every committed figure overlap neither each other nor a drawn point', () => {
    for (const name of readdirSync(folder)) {
      const svg = readFileSync(`${folder}${name}`, 'utf8');
      const labels = endLabels(svg);
      expect(labels.length, name).toBeGreaterThanOrEqual(3);
      for (const [i, a] of labels.entries()) {
        for (const b of labels.slice(i + 1)) expect(overlap(a, b), `${name}: ${a.text} and ${b.text}`).toBe(false);
        for (const p of markers(svg))
          expect(covers(a, p), `${name}: ${a.text} covers the point ${p.x}, ${p.y}`).toBe(false);
      }
    }
  });

  test('every landscape figure draws all six reference rules from the same start', () => {
    for (const figure of LANDSCAPE_FIGURES) {
      const configs = figureConfigs(figure);
      expect(configs.map((c) => c.optimizer)).toEqual(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']);
      for (const config of configs) {
        const path = closedLoopPath(config, figure.landscape, figure.x0, figure.steps);
        expect(path).toHaveLength(figure.steps + 1);
        expect(path[0]).toEqual(figure.x0);
      }
    }
  });

  test('the closed loop feeds the landscape gradient at the current iterate: SGD on the taco shell, by hand', () => {
    // f = (c0 x^2 + c1 y^2) / 2, dx = (c0 x, c1 y): x1 = x0 - lr * c * x0, x2 = x1 - lr * c * x1 (exact in float64 up to one rounding each).
    const c = [0.5, 4];
    const path = closedLoopPath(
      { optimizer: 'sgd', learningRate: 0.25 },
      { name: 'taco-shell', curvature: c },
      [2, -1],
      2,
    );
    expect(path[1]).toEqual([2 - 0.25 * (0.5 * 2), -1 - 0.25 * (4 * -1)]);
    expect(path[2]).toEqual([1.75 - 0.25 * (0.5 * 1.75), 0 - 0.25 * (4 * 0)]);
  });
});
