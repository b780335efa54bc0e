import type { Counterexample } from '../conformance/index.js';
import { createSchedule } from '../registry/index.js';
import type { ScheduleConfig } from '../reference/index.js';
import { formatNumber } from './describe-counterexample.js';
import type { ChartSpec } from './trace-charts.js';

/** The schedule config of a counterexample, if it is one (schedule findings carry no trace, only the first wrong t). */
function scheduleConfig(c: Counterexample): ScheduleConfig | undefined {
  const config = c.config as Partial<ScheduleConfig> | undefined;
  return config && typeof config === 'object' && 'schedule' in config ? (config as ScheduleConfig) : undefined;
}

/**
 * A failing schedule check as a chart of value against t, from its
 * counterexample: the reference schedule (docs/spec.md section 7) over
 * t and the implementation's value at the first wrong t. Undefined when the
 * counterexample has no schedule config, no t, or no finite values to place.
 */
export function scheduleChartSpec(c: Counterexample, label: string): ChartSpec | undefined {
  const config = scheduleConfig(c);
  const t = c.step;
  if (
    !config ||
    t === undefined ||
    !Number.isInteger(t) ||
    t < 0 ||
    c.actual === undefined ||
    !Number.isFinite(c.actual)
  )
    return undefined;
  let rate: (t: number) => number;
  try {
    rate = createSchedule(config);
  } catch {
    return undefined;
  }
  const end = Math.min(Math.max(20, 2 * t), t + 200);
  const rows: Record<string, unknown>[] = [];
  for (let u = 0; u <= end; u++) {
    const value = rate(u);
    if (Number.isFinite(value)) rows.push({ t: u, value, series: 'reference' });
  }
  rows.push({ t, value: c.actual, series: 'adapter', note: `adapter at t = ${t}: ${formatNumber(c.actual)}` });
  const x = { field: 't', type: 'quantitative', title: 't (counted from 0)', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'value', type: 'quantitative', title: 'learning rate', scale: { zero: false } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 560,
    height: 200,
    data: { values: rows },
    layer: [
      {
        transform: [{ filter: { field: 'series', equal: 'reference' } }],
        mark: { type: 'line', color: '#000000', point: { filled: true, size: 20, shape: 'square', color: '#000000' } },
        encoding: { x, y },
      },
      {
        transform: [{ filter: { field: 'series', equal: 'adapter' } }],
        mark: { type: 'point', shape: 'circle', filled: true, size: 120, color: '#D55E00' },
        encoding: { x, y },
      },
      {
        transform: [{ filter: { field: 'series', equal: 'adapter' } }],
        mark: { type: 'text', align: 'left', dx: 10, dy: -10, fontSize: 11, fontWeight: 'bold', color: '#D55E00' },
        encoding: { x, y, text: { field: 'note' } },
      },
    ],
    config: { font: 'sans-serif', view: { stroke: '#bbb' }, axis: { labelFontSize: 10, titleFontSize: 11 } },
  };
  const expected = c.expected === undefined ? '' : `, the reference's ${formatNumber(c.expected)}`;
  return {
    spec: spec as unknown as ChartSpec['spec'],
    text: {
      title: `${label}: the schedule over t`,
      description: `The reference ${config.schedule} schedule for t = 0 to ${end} (solid line, squares) and the implementation's value at the first wrong t = ${t} (large circle, labelled): ${formatNumber(c.actual)}${expected}.`,
    },
  };
}
