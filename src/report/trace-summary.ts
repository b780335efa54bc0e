import type { Trace } from '../conformance/index.js';

/** Coordinates drawn per finding: the charts are small multiples, one panel per coordinate. */
const MAX_CHART_COORDINATES = 4;

/** Steps drawn per line: longer runs (the 1000-step fixtures) are thinned to keep the page small. */
const MAX_CHART_STEPS = 200;

/** Where the run first leaves the derived bound, if it does. */
export interface Crossing {
  /** 1-based row of the trace. */
  row: number;
  /** The run's step: `row` plus the trace's offset. */
  step: number;
  coordinate: number;
  error: number;
  bound: number;
}

/** What the report's charts and tables need from a trace, computed once. */
export interface TraceSummary {
  trace: Trace;
  /** Rows in the trace. */
  steps: number;
  /** Row `r` (1-based) is the run's step `r + offset` (`Trace.firstStep - 1`: long runs are cut). */
  offset: number;
  /** The coordinates drawn, ascending. */
  coordinates: number[];
  /** Rows drawn (1-based), ascending: every `stride`-th, the crossings and the last. */
  drawnSteps: number[];
  stride: number;
  /** Per coordinate, the first step where |actual - expected| > bound (or one is not finite while the other is). */
  crossings: Crossing[];
  /** The earliest of {@link crossings}. */
  first?: Crossing;
}

/** `|a - b|`, NaN when either is not finite unless they are the same value (Infinity vs Infinity is no error). */
export function absoluteError(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return Number.NaN;
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  return Math.abs(a - b);
}

/** Whether step `s` (0-based) of coordinate `c` is outside the bound: beyond it, or non-finite on one side only. */
function exceeds(trace: Trace, s: number, c: number): { error: number; bound: number } | undefined {
  const error = absoluteError(trace.actual[s]?.[c], trace.expected[s]?.[c]);
  const bound = trace.bound[s]?.[c] ?? Number.NaN;
  if (error === 0) return undefined;
  if (Number.isNaN(error) || error > bound) return { error, bound };
  return undefined;
}

/**
 * Reads a trace for plotting: how many steps, which coordinates (the first
 * {@link MAX_CHART_COORDINATES}, always including the counterexample's), where
 * each leaves the bound, and which steps to draw.
 */
export function summarizeTrace(trace: Trace, coordinate?: number): TraceSummary {
  const steps = Math.min(trace.actual.length, trace.expected.length);
  const offset = Math.max(0, (trace.firstStep ?? 1) - 1);
  const width = Math.max(0, ...trace.expected.slice(0, steps).map((row) => row.length));
  const crossings: Crossing[] = [];
  for (let c = 0; c < width; c++) {
    for (let s = 0; s < steps; s++) {
      const hit = exceeds(trace, s, c);
      if (hit) {
        crossings.push({ row: s + 1, step: s + 1 + offset, coordinate: c, ...hit });
        break;
      }
    }
  }
  const first = crossings.reduce<Crossing | undefined>((a, b) => (a === undefined || b.row < a.row ? b : a), undefined);
  const coordinates = Array.from({ length: Math.min(width, MAX_CHART_COORDINATES) }, (_, c) => c);
  const wanted = coordinate !== undefined && coordinate < width ? coordinate : first?.coordinate;
  if (wanted !== undefined && !coordinates.includes(wanted)) coordinates[coordinates.length - 1] = wanted;
  coordinates.sort((a, b) => a - b);
  const stride = Math.max(1, Math.ceil(steps / MAX_CHART_STEPS));
  const drawn = new Set<number>();
  for (let s = 1; s <= steps; s += stride) drawn.add(s);
  if (steps > 0) drawn.add(steps);
  for (const crossing of crossings) if (coordinates.includes(crossing.coordinate)) drawn.add(crossing.row);
  const summary: TraceSummary = {
    trace,
    steps,
    offset,
    coordinates,
    drawnSteps: [...drawn].sort((a, b) => a - b),
    stride,
    crossings,
  };
  if (first) summary.first = first;
  return summary;
}
