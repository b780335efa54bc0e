import type { TopLevelSpec } from 'vega-lite';
import { formatNumber } from './describe-counterexample.js';
import { absoluteError, type TraceSummary } from './trace-summary.js';
import type { ChartText } from './vega-svg.js';

/** A chart to render: its Vega-Lite spec and its text alternative. */
export interface ChartSpec {
  spec: TopLevelSpec;
  text: ChartText;
}

/**
 * Okabe-Ito colours (distinguishable with the common colour-vision
 * deficiencies), and for reading without colour each series also has its own
 * dash pattern and point shape, named in the legend and the description.
 */
const STYLE = {
  reference: { color: '#000000', dash: [1, 0], shape: 'square', words: 'solid line, squares' },
  adapter: { color: '#D55E00', dash: [6, 3], shape: 'circle', words: 'dashed line, circles' },
  convention: { color: '#0072B2', dash: [1, 0], shape: 'triangle-up', words: 'wide pale band, triangles' },
  bound: { color: '#000000', dash: [1, 0], shape: 'square', words: 'solid line, squares' },
} as const;

/** Panels per row and their width, so that a row stays under ~950 px and no cell is left empty for 3. */
function layout(coordinates: number): { columns: number; width: number } {
  if (coordinates <= 1) return { columns: 1, width: 560 };
  return coordinates === 3 ? { columns: 3, width: 240 } : { columns: 2, width: 340 };
}

/** Point shapes per line: enough to tell the series apart without colour, few enough to keep the SVG small. */
const POINTS_PER_LINE = 12;

interface Series {
  name: string;
  style: (typeof STYLE)[keyof typeof STYLE];
}

/** The spec shared by both charts: small multiples per coordinate, series told apart by colour, dash and shape. */
function facetedLines(
  rows: Record<string, unknown>[],
  series: Series[],
  summary: TraceSummary,
  y: { title: string; log: boolean },
  extra: Record<string, unknown>[],
): TopLevelSpec {
  const names = series.map((s) => s.name);
  const scale = (key: 'color' | 'dash' | 'shape') => ({ domain: names, range: series.map((s) => s.style[key]) });
  const legend = {
    orient: 'top',
    title: null,
    symbolStrokeWidth: 2,
    symbolSize: 80,
    symbolOpacity: 1,
    labelLimit: 400,
  } as const;
  const encoding = {
    x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1, format: 'd' } },
    y: {
      field: 'value',
      type: 'quantitative',
      title: y.title,
      scale: y.log ? { type: 'log' } : { zero: false },
      axis: y.log ? { format: '.0e', tickCount: 6 } : {},
    },
    color: { field: 'series', type: 'nominal', scale: scale('color'), legend },
    strokeDash: { field: 'series', type: 'nominal', scale: scale('dash'), legend },
    shape: { field: 'series', type: 'nominal', scale: scale('shape'), legend },
    order: { field: 'step', type: 'quantitative' },
  };
  const own = [{ filter: { field: 'series', oneOf: names } }];
  const { shape, ...lineEncoding } = encoding;
  const band = series.filter((s) => s.style === STYLE.convention).map((s) => s.name);
  const layers: Record<string, unknown>[] = [];
  // The convention's prediction is a wide pale band under the others: where the adapter follows it, its dashed line runs inside.
  if (band.length)
    layers.push({
      transform: [{ filter: { field: 'series', oneOf: band } }],
      mark: { type: 'line', strokeWidth: 10, opacity: 0.3 },
      encoding: lineEncoding,
    });
  layers.push({
    transform: [{ filter: { field: 'series', oneOf: names.filter((n) => !band.includes(n)) } }],
    mark: { type: 'line', strokeWidth: 1.6 },
    encoding: lineEncoding,
  });
  layers.push({
    transform: [...own, { filter: 'datum.pointed' }],
    mark: { type: 'point', filled: true, size: 30, opacity: 0.9 },
    encoding: { x: encoding.x, y: encoding.y, color: encoding.color, shape },
  });
  const lastCoordinate = `x[${summary.coordinates[summary.coordinates.length - 1]}]`;
  for (const [i, s] of series.entries()) {
    layers.push({
      transform: [
        {
          filter: {
            and: [
              { field: 'series', equal: s.name },
              { field: 'coordinate', equal: lastCoordinate },
              { field: 'last', equal: true },
            ],
          },
        },
      ],
      mark: {
        type: 'text',
        align: 'right',
        baseline: 'middle',
        dx: -4,
        dy: -10 - 12 * (series.length - 1 - i),
        fontSize: 10,
        fontWeight: 'bold',
      },
      encoding: { x: encoding.x, y: encoding.y, text: { field: 'label' }, color: { value: s.style.color } },
    });
  }
  layers.push(...extra);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    facet: {
      field: 'coordinate',
      type: 'nominal',
      title: null,
      sort: summary.coordinates.map((c) => `x[${c}]`),
      header: { labelFontSize: 12 },
    },
    columns: layout(summary.coordinates.length).columns,
    resolve: { scale: { y: 'independent' } },
    spec: { width: layout(summary.coordinates.length).width, height: 150, layer: layers },
    config: {
      font: 'sans-serif',
      view: { stroke: '#bbb' },
      axis: { labelFontSize: 10, titleFontSize: 11 },
      legend: { labelFontSize: 11 },
    },
  } as unknown as TopLevelSpec; // layers built as plain objects; vega-lite's strict logger (vega-svg.ts) rejects a malformed one
}

/** Rows for one series: finite values only (vega drops nulls, leaving a gap). */
function seriesRows(
  summary: TraceSummary,
  name: string,
  value: (s: number, c: number) => number | undefined,
  positive: boolean,
): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const c of summary.coordinates) {
    const kept: Record<string, unknown>[] = [];
    for (const step of summary.drawnSteps) {
      const v = value(step - 1, c);
      if (v === undefined || !Number.isFinite(v) || (positive && v <= 0)) continue;
      kept.push({
        step: step + summary.offset,
        coordinate: `x[${c}]`,
        series: name,
        value: v,
        last: false,
        pointed: false,
        label: name,
      });
    }
    const every = Math.max(1, Math.ceil(kept.length / POINTS_PER_LINE));
    for (const [k, row] of kept.entries()) row.pointed = k % every === 0;
    const tail = kept[kept.length - 1];
    if (tail) {
      tail.last = true;
      tail.pointed = true;
    }
    rows.push(...kept);
  }
  return rows;
}

function stepRange(summary: TraceSummary): string {
  return summary.offset === 0
    ? `${summary.steps} step${summary.steps === 1 ? '' : 's'}`
    : `steps ${summary.offset + 1} to ${summary.offset + summary.steps} (the run is cut to the steps around its first difference)`;
}

function coordinateList(summary: TraceSummary): string {
  return summary.coordinates.map((c) => `x[${c}]`).join(', ');
}

function thinned(summary: TraceSummary): string {
  return summary.stride > 1 ? ` One step in ${summary.stride} is drawn (and each crossing).` : '';
}

/**
 * The two charts of a failing or deviating run: the parameter
 * value per step, the implementation's against the reference's (and, for a
 * named deviation, the reference built with the convention), one panel per
 * coordinate; and the error against the derived bound on a log scale, the
 * first step beyond it marked.
 */
export function traceChartSpecs(
  summary: TraceSummary,
  label: string,
  conventions: readonly string[],
  x0?: readonly number[],
): ChartSpec[] {
  const conventionIds = conventions.join(' + ') || 'the convention';
  return [trajectoryChart(summary, label, conventionIds, x0), errorChart(summary, label, conventionIds)];
}

/** The parameter value per step: the implementation's, the reference's and the convention's, from x0 where known. */
function trajectoryChart(
  summary: TraceSummary,
  label: string,
  conventionIds: string,
  x0: readonly number[] | undefined,
): ChartSpec {
  const { trace } = summary;
  const conventionName = `reference with ${conventionIds}`;
  const series: Series[] = [
    { name: 'reference', style: STYLE.reference },
    { name: 'adapter', style: STYLE.adapter },
  ];
  if (trace.convention) series.push({ name: conventionName, style: STYLE.convention });
  const rows = [
    ...seriesRows(summary, 'reference', (s, c) => trace.expected[s]?.[c], false),
    ...seriesRows(summary, 'adapter', (s, c) => trace.actual[s]?.[c], false),
    ...(trace.convention ? seriesRows(summary, conventionName, (s, c) => trace.convention?.[s]?.[c], false) : []),
  ];
  // Every series starts from the same x0 (step 0), where the run starts at step 1 and x0 is known.
  const start =
    summary.offset === 0 && x0 !== undefined && x0.length === (trace.expected[0]?.length ?? -1) ? x0 : undefined;
  if (start) {
    for (const s of series) {
      for (const c of summary.coordinates) {
        const v = start[c];
        if (v !== undefined && Number.isFinite(v))
          rows.push({
            step: 0,
            coordinate: `x[${c}]`,
            series: s.name,
            value: v,
            last: false,
            pointed: true,
            label: s.name,
          });
      }
    }
  }
  const where = summary.first
    ? ` They part at step ${summary.first.step} on x[${summary.first.coordinate}]: adapter ${formatNumber(trace.actual[summary.first.row - 1]?.[summary.first.coordinate] ?? Number.NaN)}, reference ${formatNumber(trace.expected[summary.first.row - 1]?.[summary.first.coordinate] ?? Number.NaN)}.`
    : '';
  const trajectory: ChartSpec = {
    spec: facetedLines(rows, series, summary, { title: 'parameter value', log: false }, []),
    text: {
      title: `${label}: parameter value per step`,
      description:
        `Parameter value ${start ? 'from x0 (step 0) ' : ''}over ${stepRange(summary)} for ${coordinateList(summary)}, one panel per coordinate: ` +
        series.map((s) => `${s.name} (${s.style.words})`).join(', ') +
        `.${where}${thinned(summary)} The numbers are in the table below.`,
    },
  };
  return trajectory;
}

/** The dashed rule and label of each crossing of the bound. */
function crossingMarks(crossingRows: readonly { right: boolean }[]): Record<string, unknown>[] {
  return crossingRows.length
    ? [
        {
          transform: [{ filter: { field: 'series', equal: 'crossing' } }],
          mark: { type: 'rule', strokeDash: [3, 3], color: '#CC0000', strokeWidth: 1.5 },
          encoding: { x: { field: 'step', type: 'quantitative' } },
        },
        // The label sits on the side of the rule with room, so that it never widens the panel.
        ...[false, true].map((right) => ({
          transform: [{ filter: { field: 'series', equal: 'crossing' } }, { filter: { field: 'right', equal: right } }],
          mark: {
            type: 'text',
            align: right ? 'right' : 'left',
            baseline: 'middle',
            dx: right ? -3 : 3,
            y: 75,
            fontSize: 10,
            color: '#CC0000',
          },
          encoding: { x: { field: 'step', type: 'quantitative' }, text: { field: 'crossing' } },
        })),
      ]
    : [];
}

/** The error against the derived bound on a log scale, the first step beyond it marked. */
function errorChart(summary: TraceSummary, label: string, conventionIds: string): ChartSpec {
  const { trace } = summary;
  const errorName = '|adapter − reference|';
  const conventionError = '|adapter − convention|';
  const errorSeries: Series[] = [
    { name: 'derived bound', style: STYLE.bound },
    { name: errorName, style: STYLE.adapter },
  ];
  if (trace.convention) errorSeries.push({ name: conventionError, style: STYLE.convention });
  const errorRows = [
    ...seriesRows(summary, 'derived bound', (s, c) => trace.bound[s]?.[c], true),
    ...seriesRows(summary, errorName, (s, c) => absoluteError(trace.actual[s]?.[c], trace.expected[s]?.[c]), true),
    ...(trace.convention
      ? seriesRows(
          summary,
          conventionError,
          (s, c) => absoluteError(trace.actual[s]?.[c], trace.convention?.[s]?.[c]),
          true,
        )
      : []),
  ];
  const crossingRows = summary.crossings
    .filter((x) => summary.coordinates.includes(x.coordinate))
    .map((x) => ({
      step: x.step,
      coordinate: `x[${x.coordinate}]`,
      series: 'crossing',
      crossing: `beyond the bound at step ${x.step}`,
      right: x.row > summary.steps / 2,
    }));
  const marks = crossingMarks(crossingRows);
  const first = summary.first;
  const crossingText = first
    ? ` The error first exceeds the bound at step ${first.step} on x[${first.coordinate}] (error ${formatNumber(first.error)}, bound ${formatNumber(first.bound)}), marked by a dashed vertical rule.`
    : ' The error stays within the bound on every step drawn.';
  const ratio = trace.convention ? maxRatio(summary) : undefined;
  const explained =
    ratio === undefined
      ? ''
      : ratio === 0
        ? ` The reference built with ${conventionIds} reproduces the run bit for bit (its error is 0 on every step, so it has no points on the log scale).`
        : ` Against the reference built with ${conventionIds} the largest error-to-bound ratio is ${formatNumber(ratio)}.`;
  const error: ChartSpec = {
    spec: facetedLines(
      [...errorRows, ...crossingRows],
      errorSeries,
      summary,
      { title: 'absolute error (log)', log: true },
      marks,
    ),
    text: {
      title: `${label}: error against the derived bound`,
      description:
        `Absolute error per step on a log scale over ${stepRange(summary)} for ${coordinateList(summary)}, one panel per coordinate: ` +
        errorSeries.map((s) => `${s.name} (${s.style.words})`).join(', ') +
        `. Steps where an error is exactly 0 or not finite are not drawn.${crossingText}${explained}${thinned(summary)}`,
    },
  };
  return error;
}

/** The largest |actual - convention| / bound over the drawn coordinates: below 1 means the convention explains the run. */
function maxRatio(summary: TraceSummary): number {
  const { trace } = summary;
  let max = 0;
  for (let s = 0; s < summary.steps; s++) {
    for (const c of summary.coordinates) {
      const ratio =
        absoluteError(trace.actual[s]?.[c], trace.convention?.[s]?.[c]) / (trace.bound[s]?.[c] ?? Number.NaN);
      if (ratio > max || Number.isNaN(ratio)) max = Number.isNaN(ratio) ? max : ratio;
    }
  }
  return max;
}
