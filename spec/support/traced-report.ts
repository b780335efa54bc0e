import type { Adapter } from '../../src/adapter/contract.js';
import { boundedTrajectory } from '../../src/conformance/tolerance.js';
import type { ConformanceReport, Finding, SubjectResult, Trace } from '../../src/conformance/types.js';
import type { ConventionId, Conventions, OptimizerConfig } from '../../src/reference/types.js';
import { isUnsupported } from '../../src/adapter/unsupported.js';
import { handwritten } from './planted/handwritten.js';

/** A deterministic gradient table (an LCG, as the checker's probes use), `steps` rows of `n`. */
export function gradientTable(steps: number, n: number, seed = 7): number[][] {
  let s = seed;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return Array.from({ length: steps }, () => Array.from({ length: n }, () => 2 * next()));
}

/**
 * The trace of one open-loop run, built as the checker builds it: the adapter's
 * iterates, the float64 rule with its derived running bound
 * (src/conformance/tolerance.ts) and, when `conventions` is given, the rule built
 * with them. The reports' own plotting code never computes any of this.
 */
export async function traceOf(
  adapter: Adapter,
  config: OptimizerConfig,
  x0: number[],
  gradients: number[][],
  conventions?: Conventions,
): Promise<Trace> {
  const stepper = await adapter.create(config, Float64Array.from(x0));
  if (isUnsupported(stepper)) throw new Error(`${adapter.name} refused ${config.optimizer}: ${stepper.unsupported}`);
  const actual: number[][] = [];
  for (const g of gradients) actual.push(Array.from(await stepper.step(Float64Array.from(g))));
  const reference = boundedTrajectory(config, {}, adapter.dtype, x0, gradients);
  const trace: Trace = {
    actual,
    expected: reference.x.map((r) => Array.from(r)),
    bound: reference.bound.map((r) => Array.from(r)),
  };
  if (conventions)
    trace.convention = boundedTrajectory(config, conventions, adapter.dtype, x0, gradients).x.map((r) => Array.from(r));
  return trace;
}

function finding(check: string, trace: Trace, status: Finding['status'], conventions?: ConventionId[]): Finding {
  let step = 0;
  let coordinate = 0;
  search: for (let s = 0; s < trace.actual.length; s++) {
    for (let c = 0; c < trace.actual[s]!.length; c++) {
      if (Math.abs(trace.actual[s]![c]! - trace.expected[s]![c]!) > trace.bound[s]![c]!) {
        step = s + 1;
        coordinate = c;
        break search;
      }
    }
  }
  const f: Finding = {
    check,
    status,
    message:
      status === 'fail'
        ? `step ${step} coordinate ${coordinate} beyond the derived bound`
        : 'explained by a convention',
    counterexample: {
      step,
      coordinate,
      expected: trace.expected[step - 1]![coordinate]!,
      actual: trace.actual[step - 1]![coordinate]!,
      trace,
    },
  };
  if (conventions) f.conventions = conventions;
  return f;
}

function report(name: string, results: SubjectResult[], passed: boolean): ConformanceReport {
  return {
    optimspec: { version: '0.1.0' },
    adapter: { name, dtype: 'float64' },
    fixtures: { provenance: {} },
    options: { runs: 1, seed: 42, accepted: [] },
    results,
    passed,
    durationMs: 1234,
  };
}

const X0 = [0.5, -1.25, 2, 0.75];

/**
 * A failing report: the planted `ascent` SGD (conventions.md "Known bugs": `+=`
 * for `-=`) on two open-loop runs of 12 and 300 steps, with one passing and one
 * law finding without a trace. Two findings have traces: 4 charts.
 */
export async function failingReport(): Promise<ConformanceReport> {
  const adapter = handwritten({
    name: 'ascent <b>&"planted"</b>',
    declared: 'float64',
    bug: 'ascent',
    optimizers: ['sgd'],
  });
  const config: OptimizerConfig = { optimizer: 'sgd', learningRate: 0.1 };
  const short = await traceOf(adapter, config, X0, gradientTable(12, 4));
  const long = await traceOf(adapter, config, X0.slice(0, 2), gradientTable(300, 2, 11));
  const sgd: SubjectResult = {
    subject: 'sgd',
    verdict: 'fails',
    conventions: [],
    bug: 'ascent',
    findings: [
      { check: 'fixture:sgd/float64/open/ordinary-0', status: 'pass', message: 'matches' },
      { ...finding('probe:ordinary', short, 'fail'), bug: 'ascent' },
      { ...finding('probe:long', long, 'fail'), bug: 'ascent' },
      {
        check: 'law:sgd/first-step-descends',
        status: 'fail',
        message: 'the first step ascends',
        counterexample: { seed: 42, path: '0:1', x0: [1], gradients: [[1]] },
      },
    ],
  };
  return report(
    adapter.name,
    [sgd, { subject: 'schedule:step', verdict: 'unsupported', conventions: [], findings: [] }],
    false,
  );
}

/**
 * A deviating report: the planted `epsilon-inside-sqrt` RMSProp and Adam
 * (conventions.md), each with one explained run carrying the convention's own
 * trajectory: 4 charts.
 */
export async function deviatingReport(): Promise<ConformanceReport> {
  const conventions: Conventions = { 'epsilon-inside-sqrt': true };
  const adapter = handwritten({
    name: 'eps-inside',
    declared: 'float64',
    conventions,
    optimizers: ['rmsprop', 'adam'],
  });
  // Tiny gradients: the square root of the accumulator is near epsilon, where the placement of epsilon shows.
  const tiny = gradientTable(20, 3, 5).map((row) => row.map((g) => g * 1e-7));
  const results: SubjectResult[] = [];
  for (const config of [
    { optimizer: 'rmsprop', learningRate: 0.01, decayRate: 0.9, epsilon: 1e-7 },
    { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  ] as OptimizerConfig[]) {
    const trace = await traceOf(adapter, config, X0.slice(0, 3), tiny, conventions);
    results.push({
      subject: config.optimizer,
      verdict: 'deviates',
      conventions: ['epsilon-inside-sqrt'],
      findings: [
        finding('probe:tiny-gradients', trace, 'explained', ['epsilon-inside-sqrt']),
        { check: 'law:element-wise', status: 'pass', message: 'holds' },
      ],
    });
  }
  return report(adapter.name, results, false);
}
