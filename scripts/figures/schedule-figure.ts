import type { TopLevelSpec } from 'vega-lite';
import { createSchedule } from '../../src/registry/create.js';
import type { ChartText } from '../../src/report/vega-svg.js';
import type { ScheduleConfig } from '../../src/reference/types.js';
import { type LabelRequest, placeLabels } from './label-placement.js';

/** Seven significant digits: enough for a pixel, and the same text on every machine. */
function round(v: number): number {
  return Number(v.toPrecision(7));
}

/** The three decays of docs/spec.md section 7, from the same initial rate, over 100 epochs. */
export const SCHEDULE_FIGURE_CONFIGS: readonly {
  label: string;
  config: ScheduleConfig;
  color: string;
  dash: number[];
  shape: string;
}[] = [
  {
    label: 'step: 0.1 · 0.5^floor(t / 25)',
    config: { schedule: 'step', initial: 0.1, every: 25, factor: 0.5 },
    color: '#000000',
    dash: [1, 0],
    shape: 'circle',
  },
  {
    label: 'exponential: 0.1 · exp(−0.03 t)',
    config: { schedule: 'exponential', initial: 0.1, k: 0.03 },
    color: '#E69F00',
    dash: [8, 3],
    shape: 'square',
  },
  {
    label: '1/t: 0.1 / (1 + 0.1 t)',
    config: { schedule: 'inverse-time', initial: 0.1, k: 0.1 },
    color: '#0072B2',
    dash: [2, 2],
    shape: 'triangle-up',
  },
];

const EPOCHS = 100;
const WIDTH = 560;
const HEIGHT = 300;
/** The y axis: from 0 to the initial rate, every schedule's largest value. */
const TOP = 0.1;
const LABEL_FONT = 11;

/** The learning-rate schedules over t as a Vega-Lite spec with its text alternative. */
export function scheduleFigureSpec(): { spec: TopLevelSpec; text: ChartText } {
  const rows: Record<string, unknown>[] = [];
  const at: string[] = [];
  const ends: LabelRequest[] = [];
  const drawn: { x: number; y: number }[] = [];
  const pixel = (t: number, rate: number) => ({ x: (t / EPOCHS) * WIDTH, y: (1 - rate / TOP) * HEIGHT });
  for (const { label, config } of SCHEDULE_FIGURE_CONFIGS) {
    const rate = createSchedule(config);
    for (let t = 0; t <= EPOCHS; t++) {
      const value = Math.round(rate(t) * 1e7) / 1e7;
      rows.push({
        t,
        rate: value,
        schedule: label,
        marked: t % 10 === 0,
      });
      drawn.push(pixel(t, value));
    }
    ends.push({ text: label.split(':')[0]!, ...pixel(EPOCHS, rate(EPOCHS)) });
    at.push(`${label.split(':')[0]} ${rate(EPOCHS).toPrecision(3)}`);
  }
  // Right of the frame, where no line is, but not below the x axis.
  const placed = placeLabels(ends, {
    bounds: { left: WIDTH + 2, top: 0, right: WIDTH + 100, bottom: HEIGHT },
    obstacles: drawn,
    fontSize: LABEL_FONT,
  });
  const labelRows = placed.map((l, slot) => ({
    t: round((l.left / WIDTH) * EPOCHS),
    rate: round((1 - l.middle / HEIGHT) * TOP),
    text: l.text,
    schedule: SCHEDULE_FIGURE_CONFIGS[slot]!.label,
  }));
  const names = SCHEDULE_FIGURE_CONFIGS.map((s) => s.label);
  const scale = (key: 'color' | 'dash' | 'shape') => ({
    domain: names,
    range: SCHEDULE_FIGURE_CONFIGS.map((s) => s[key]),
  });
  const legend = {
    orient: 'top',
    title: null,
    direction: 'vertical',
    symbolStrokeWidth: 2,
    labelFontSize: 11,
    labelLimit: 300,
  };
  const x = { field: 't', type: 'quantitative', title: 't (epoch)', scale: { domain: [0, EPOCHS], nice: false } };
  const y = { field: 'rate', type: 'quantitative', title: 'learning rate', scale: { domain: [0, TOP], nice: false } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    title: {
      text: 'Learning-rate decay over time',
      subtitle: 'docs/spec.md section 7: step, exponential and 1/t decay from the same initial rate',
      subtitleFontSize: 11,
      fontSize: 14,
      anchor: 'start',
    },
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', strokeWidth: 1.8 },
        encoding: {
          x,
          y,
          color: { field: 'schedule', type: 'nominal', scale: scale('color'), legend },
          strokeDash: { field: 'schedule', type: 'nominal', scale: scale('dash'), legend },
        },
      },
      {
        transform: [{ filter: 'datum.marked' }],
        mark: { type: 'point', filled: true, size: 36 },
        encoding: {
          x,
          y,
          color: { field: 'schedule', type: 'nominal', scale: scale('color'), legend },
          shape: { field: 'schedule', type: 'nominal', scale: scale('shape'), legend },
        },
      },
      // Direct labels at t = 100, placed apart (label-placement.ts): the three end values are within 13 px of each other.
      {
        data: { values: labelRows },
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: LABEL_FONT, fontWeight: 'bold' },
        encoding: {
          x,
          y,
          text: { field: 'text' },
          color: { field: 'schedule', type: 'nominal', scale: scale('color'), legend },
        },
      },
    ],
    config: { font: 'sans-serif', view: { stroke: '#888' }, axis: { labelFontSize: 10, titleFontSize: 12 } },
  };
  return {
    spec: spec as unknown as TopLevelSpec,
    text: {
      title: 'Learning-rate decay over time: step, exponential and 1/t',
      description: `The learning rate for t = 0 to ${EPOCHS} of ${names.join('; ')}. At t = ${EPOCHS}: ${at.join(', ')}.`,
    },
  };
}
