import { contours } from 'd3-contour';
import type { TopLevelSpec } from 'vega-lite';
import { createOptimizer } from '../../src/registry/create.js';
import { type LandscapeSpec, landscapeGradient, landscapeLoss } from '../../src/reference/landscape.js';
import { LECTURE_EPSILON, lecturePresets } from '../../src/reference/presets.js';
import type { ChartText } from '../../src/report/vega-svg.js';
import type { OptimizerConfig, OptimizerName } from '../../src/reference/types.js';
import { type LabelRequest, placeLabels } from './label-placement.js';

/** One of docs/spec.md section 8's problems, drawn in two dimensions. */
export interface LandscapeFigure {
  /** File name without `.svg`. */
  name: string;
  title: string;
  /** What the picture shows, in the lecture's words (docs/spec.md section 8). */
  point: string;
  landscape: LandscapeSpec;
  x0: [number, number];
  steps: number;
  /** The learning rate of SGD, Momentum and Nesterov, and of AdaGrad, RMSProp and Adam. */
  learningRates: { plain: number; adaptive: number };
  domain: { x: [number, number]; y: [number, number] };
  /** Loss values of the contour lines. */
  levels: number[];
}

const RULES: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];

const TITLES: Record<OptimizerName, string> = {
  sgd: 'SGD',
  momentum: 'Momentum',
  nesterov: 'Nesterov',
  adagrad: 'AdaGrad',
  rmsprop: 'RMSProp',
  adam: 'Adam',
};

/** Okabe-Ito colours, plus a dash pattern and a point shape per rule, so that the figure reads in grey too. */
const STYLE: Record<OptimizerName, { color: string; dash: number[]; shape: string }> = {
  sgd: { color: '#000000', dash: [1, 0], shape: 'circle' },
  momentum: { color: '#E69F00', dash: [8, 3], shape: 'square' },
  nesterov: { color: '#56B4E9', dash: [2, 2], shape: 'triangle-up' },
  adagrad: { color: '#009E73', dash: [8, 3, 2, 3], shape: 'diamond' },
  rmsprop: { color: '#0072B2', dash: [4, 4], shape: 'cross' },
  adam: { color: '#D55E00', dash: [12, 2], shape: 'triangle-down' },
};

/** A fixed noise table (an LCG, no global random state) so the noisy figure is the same on every run. */
function noiseTable(steps: number, amplitude: number): number[][] {
  let s = 12345;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return Array.from({ length: steps }, () => [2 * amplitude * next(), 2 * amplitude * next()]);
}

/**
 * The four landscapes of docs/spec.md section 8. Hyperparameters are the
 * lecture's typical ones (lecturePresets: rho 0.9, decay rate 0.9, betas 0.9 and
 * 0.999, epsilon 1e-7); the lecture gives no learning rate for these toy problems
 * (its Adam rate of 1e-3 is for networks), so each figure names the two it uses.
 */
export const LANDSCAPE_FIGURES: readonly LandscapeFigure[] = [
  {
    name: 'taco-shell',
    title: 'Taco shell: f = (0.05 x² + 13 y²) / 2',
    point:
      'SGD crawls along the shallow x direction; Momentum and Nesterov build up speed along it but swing across the steep y direction at this rate; the adaptive rules scale each coordinate by its own gradient size, so they move along the shallow direction about as fast as across the steep one.',
    landscape: { name: 'taco-shell', curvature: [0.05, 13] },
    x0: [-4, 1],
    steps: 60,
    learningRates: { plain: 0.1, adaptive: 0.3 },
    domain: { x: [-4.5, 1], y: [-1.6, 1.6] },
    levels: [0.05, 0.2, 0.5, 1, 2, 4, 8, 12],
  },
  {
    name: 'saddle',
    title: 'Saddle point: f = (x² − 0.5 y²) / 2',
    point: 'Near the saddle the gradient is tiny and SGD crawls; momentum and the adaptive rules leave it sooner.',
    landscape: { name: 'saddle', curvature: [1, -0.5] },
    x0: [-3, 0.01],
    steps: 50,
    learningRates: { plain: 0.1, adaptive: 0.1 },
    domain: { x: [-3.3, 2], y: [-0.5, 3] },
    levels: [-2, -1, -0.5, -0.1, 0.1, 0.5, 1, 2, 3, 4],
  },
  {
    name: 'local-minimum',
    title: 'Local minimum: f = Σ (x⁴/4 − x²/2 + 0.2 x)',
    point:
      'SGD, RMSProp and Adam settle in the local minimum near (0.88, 0.88); Momentum and Nesterov carry through to the global one near (−1.1, −1.1).',
    landscape: { name: 'local-minimum', tilt: 0.2 },
    x0: [2.2, 2],
    steps: 80,
    learningRates: { plain: 0.05, adaptive: 0.1 },
    domain: { x: [-2, 2.4], y: [-2, 2.4] },
    levels: [-0.8, -0.6, -0.4, -0.2, 0, 0.3, 0.7, 1.5, 3, 5],
  },
  {
    name: 'noisy',
    title: 'Noisy gradient: dx = (x, 3 y) + noise',
    point:
      'Minibatch gradients are noisy (here a fixed sequence, uniform in ±1.5, added to the exact gradient): every path jitters with the samples; Momentum and Adam step along a running mean of them.',
    landscape: { name: 'noisy', curvature: [1, 3], noise: noiseTable(60, 1.5) },
    x0: [-3, 1.5],
    steps: 60,
    learningRates: { plain: 0.05, adaptive: 0.1 },
    domain: { x: [-3.5, 1.5], y: [-1.2, 1.8] },
    levels: [0.1, 0.5, 1, 2, 4, 8],
  },
];

/** Each rule's config for a figure: the lecture's presets and the figure's learning rates. */
export function figureConfigs(figure: LandscapeFigure): OptimizerConfig[] {
  const plain = figure.learningRates.plain;
  const adaptive = figure.learningRates.adaptive;
  return [
    { optimizer: 'sgd', learningRate: plain },
    { optimizer: 'momentum', learningRate: plain, rho: lecturePresets.momentum.rho[0] },
    { optimizer: 'nesterov', learningRate: plain, rho: lecturePresets.nesterov.rho[0] },
    { optimizer: 'adagrad', learningRate: adaptive, epsilon: LECTURE_EPSILON },
    {
      optimizer: 'rmsprop',
      learningRate: adaptive,
      decayRate: lecturePresets.rmsprop.decayRate[0],
      epsilon: LECTURE_EPSILON,
    },
    { ...lecturePresets.adam, learningRate: adaptive },
  ];
}

/** The reference rule in the closed loop of docs/spec.md section 8: `dx = compute_gradient(x)`, then one step; x0 first. */
export function closedLoopPath(
  config: OptimizerConfig,
  landscape: LandscapeSpec,
  x0: readonly number[],
  steps: number,
): number[][] {
  const optimizer = createOptimizer(config, { size: x0.length, dtype: 'float64' });
  const x = Float64Array.from(x0);
  const dx = new Float64Array(x0.length);
  const path = [Array.from(x)];
  for (let t = 0; t < steps; t++) {
    landscapeGradient(landscape, x, t, dx, 'float64');
    optimizer.step(x, dx);
    path.push(Array.from(x));
  }
  return path;
}

/** Fixed-precision numbers keep the SVG small and its text stable. */
function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

function contourRows(figure: LandscapeFigure): Record<string, unknown>[] {
  const nx = 90;
  const ny = 70;
  const [x0, x1] = figure.domain.x;
  const [y0, y1] = figure.domain.y;
  const hx = (x1 - x0) / (nx - 1);
  const hy = (y1 - y0) / (ny - 1);
  const values: number[] = [];
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) values.push(landscapeLoss(figure.landscape, [x0 + i * hx, y0 + j * hy]));
  const rows: Record<string, unknown>[] = [];
  let ring = 0;
  for (const contour of contours().size([nx, ny]).thresholds(figure.levels)(values)) {
    for (const polygon of contour.coordinates) {
      for (const points of polygon) {
        ring++;
        for (const [order, [gx, gy]] of points.entries()) {
          rows.push({
            kind: 'contour',
            ring,
            order,
            level: contour.value,
            x: round(x0 + (gx! - 0.5) * hx),
            y: round(y0 + (gy! - 0.5) * hy),
          });
        }
      }
    }
  }
  return rows;
}

/** A subtitle as lines of at most `width` characters (vega does not wrap text). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
}

const FIGURE_WIDTH = 560;
const FIGURE_HEIGHT = 380;
const LABEL_FONT = 11;

/** The plot's linear scales (domains not rounded: `nice: false`), from data to pixels and back. */
function toPixels(figure: LandscapeFigure): {
  of(p: readonly number[]): { x: number; y: number };
  back(px: number, py: number): { x: number; y: number };
} {
  const [x0, x1] = figure.domain.x;
  const [y0, y1] = figure.domain.y;
  return {
    of: (p) => ({ x: ((p[0]! - x0) / (x1 - x0)) * FIGURE_WIDTH, y: ((y1 - p[1]!) / (y1 - y0)) * FIGURE_HEIGHT }),
    back: (px, py) => ({
      x: round(x0 + (px / FIGURE_WIDTH) * (x1 - x0)),
      y: round(y1 - (py / FIGURE_HEIGHT) * (y1 - y0)),
    }),
  };
}

function inside(figure: LandscapeFigure, p: readonly number[]): boolean {
  return (
    p[0]! >= figure.domain.x[0] &&
    p[0]! <= figure.domain.x[1] &&
    p[1]! >= figure.domain.y[0] &&
    p[1]! <= figure.domain.y[1]
  );
}

/**
 * A landscape as a Vega-Lite spec: its contour lines, and the trajectories of
 * the six reference rules from the same start, with a text alternative.
 */
export function landscapeFigureSpec(figure: LandscapeFigure): { spec: TopLevelSpec; text: ChartText } {
  const rows: Record<string, unknown>[] = contourRows(figure);
  const ends: string[] = [];
  const pixels = toPixels(figure);
  const endLabels: LabelRequest[] = [];
  const drawn: { x: number; y: number }[] = [];
  for (const config of figureConfigs(figure)) {
    const rule = config.optimizer;
    const path = closedLoopPath(config, figure.landscape, figure.x0, figure.steps);
    // A path that leaves the frame (the saddle is unbounded below) is drawn up to its first point outside.
    const leaves = path.findIndex((p) => !inside(figure, p));
    const shown = leaves === -1 ? path : path.slice(0, leaves + 1);
    const lastInside = leaves === -1 ? path.length - 1 : leaves - 1;
    for (const [step, p] of shown.entries()) {
      rows.push({
        kind: 'path',
        rule: TITLES[rule],
        step,
        x: round(p[0]!),
        y: round(p[1]!),
        marked: step % 5 === 0 && step <= lastInside,
      });
      if (step <= lastInside) drawn.push(pixels.of(p));
    }
    if (lastInside >= 0) endLabels.push({ text: TITLES[rule], ...pixels.of(path[lastInside]!) });
    const end = path[path.length - 1]!;
    ends.push(
      leaves === -1
        ? `${TITLES[rule]} ends at (${end[0]!.toFixed(2)}, ${end[1]!.toFixed(2)})`
        : `${TITLES[rule]} leaves the frame after ${leaves} steps`,
    );
  }
  const start = pixels.of(figure.x0);
  const labels = placeLabels([{ text: 'start', ...start }, ...endLabels], {
    bounds: { left: 0, top: 0, right: FIGURE_WIDTH, bottom: FIGURE_HEIGHT },
    obstacles: drawn,
    fontSize: LABEL_FONT,
  });
  const labelRows = labels.map((l, i) => ({
    rule: i === 0 ? null : l.text,
    text: l.text,
    ...pixels.back(l.left, l.middle),
  }));
  const leaderRows = labels
    .filter((l) => l.leader)
    .map((l) => {
      const to = pixels.back(Math.min(Math.max(l.x, l.left), l.left + l.width), l.middle);
      return { ...pixels.back(l.x, l.y), x2: to.x, y2: to.y };
    });
  const names = RULES.map((r) => TITLES[r]);
  const scale = (key: 'color' | 'dash' | 'shape') => ({ domain: names, range: RULES.map((r) => STYLE[r][key]) });
  const legend = { orient: 'bottom', title: null, columns: 6, symbolStrokeWidth: 2, symbolSize: 70, labelFontSize: 11 };
  const x = { field: 'x', type: 'quantitative', title: 'x', scale: { domain: figure.domain.x, nice: false } };
  const y = { field: 'y', type: 'quantitative', title: 'y', scale: { domain: figure.domain.y, nice: false } };
  const paths = { filter: { field: 'kind', equal: 'path' } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: FIGURE_WIDTH,
    height: FIGURE_HEIGHT,
    title: {
      text: figure.title,
      subtitle: wrap(figure.point, 95),
      subtitleFontSize: 11,
      fontSize: 14,
      anchor: 'start',
    },
    data: { values: rows },
    layer: [
      {
        transform: [{ filter: { field: 'kind', equal: 'contour' } }],
        mark: { type: 'line', stroke: '#b8b8b8', strokeWidth: 0.8, clip: true },
        encoding: { x, y, detail: { field: 'ring', type: 'nominal' }, order: { field: 'order', type: 'quantitative' } },
      },
      {
        transform: [paths],
        mark: { type: 'line', strokeWidth: 1.8, clip: true },
        encoding: {
          x,
          y,
          color: { field: 'rule', type: 'nominal', scale: scale('color'), legend },
          strokeDash: { field: 'rule', type: 'nominal', scale: scale('dash'), legend },
          order: { field: 'step', type: 'quantitative' },
        },
      },
      {
        transform: [paths, { filter: 'datum.marked' }],
        mark: { type: 'point', filled: true, size: 36, clip: true },
        encoding: {
          x,
          y,
          color: { field: 'rule', type: 'nominal', scale: scale('color'), legend },
          shape: { field: 'rule', type: 'nominal', scale: scale('shape'), legend },
        },
      },
      // Direct labels at each path's last point inside the frame, placed apart (label-placement.ts), a thin leader line to a label moved away.
      {
        data: { values: leaderRows },
        mark: { type: 'rule', stroke: '#555', strokeWidth: 0.7 },
        encoding: { x, y, x2: { field: 'x2' }, y2: { field: 'y2' } },
      },
      {
        data: { values: labelRows.slice(1) },
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: LABEL_FONT, fontWeight: 'bold' },
        encoding: {
          x,
          y,
          text: { field: 'text' },
          color: { field: 'rule', type: 'nominal', scale: scale('color'), legend },
        },
      },
      {
        data: { values: labelRows.slice(0, 1) },
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: LABEL_FONT },
        encoding: { x, y, text: { field: 'text' } },
      },
    ],
    config: {
      font: 'sans-serif',
      view: { stroke: '#888' },
      axis: { labelFontSize: 10, titleFontSize: 12, grid: false },
    },
  };
  const lr = figure.learningRates;
  return {
    spec: spec as unknown as TopLevelSpec,
    text: {
      title: `${figure.title}: the six reference rules from (${figure.x0.join(', ')})`,
      description:
        `Contour lines of the loss with the trajectories of SGD, Momentum, Nesterov (learning rate ${lr.plain}, rho 0.9), AdaGrad, RMSProp and Adam ` +
        `(learning rate ${lr.adaptive}, decay rate 0.9, betas 0.9 and 0.999, epsilon 1e-7), ${figure.steps} steps each from (${figure.x0.join(', ')}), ` +
        `dx the landscape's exact gradient. ${figure.point} ${ends.join('; ')}.`,
    },
  };
}
