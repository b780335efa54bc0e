import type { Counterexample } from '../conformance/index.js';

/** How the checked adapter was given: a module's path as the user typed it, or an `--exec` command line. */
export type AdapterSource = { module: string } | { exec: string };

/** A number as JavaScript source that reads back the same double: -0, NaN and the infinities included. */
function js(value: number | null): string {
  if (value === null) return 'undefined';
  return Object.is(value, -0) ? '-0' : String(value);
}

function jsVector(values: readonly (number | null)[]): string {
  return `[${values.map(js).join(', ')}]`;
}

/** A config as a JavaScript literal, its `optimizer` or `schedule` first as the docs write it. */
function jsObject(value: object): string {
  const entries = Object.entries(value);
  const tag = entries.filter(([k]) => k === 'optimizer' || k === 'schedule');
  const parts = [...tag, ...entries.filter((e) => !tag.includes(e))].map(
    ([k, v]) => `${k}: ${typeof v === 'number' ? js(v) : typeof v === 'string' ? `'${v}'` : JSON.stringify(v)}`,
  );
  return `{ ${parts.join(', ')} }`;
}

/** The lines that load the adapter: an import of the module (a relative path made explicit), or spawnAdapter on the command. */
function loadLines(source: AdapterSource | undefined): string[] {
  if (source === undefined) return ['const adapter = /* your adapter object */;'];
  if ('exec' in source)
    return [
      `import { spawnAdapter } from 'optimspec';`,
      `const adapter = await spawnAdapter(${JSON.stringify(source.exec)});`,
    ];
  const path = /^(\.{1,2}\/|\/|[A-Za-z]:[\\/])/.test(source.module) ? source.module : `./${source.module}`;
  const typescript = /\.[cm]?ts$/.test(path) ? ' // a .ts module: run with node --import tsx' : '';
  return [`import adapter from '${path.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}';${typescript}`];
}

/**
 * The counterexample as JavaScript a user can paste into an `.mjs` file beside the
 * adapter and run with `node`: it creates the instance with the counterexample's
 * config and x0, steps every gradient (with its learning rate), and prints the value
 * the check compared beside the expected and the actual one. A schedule's
 * counterexample asks the schedule for its t. Undefined when the counterexample lacks
 * its inputs (a run over several tensors prints them instead).
 */
export function reproductionSnippet(c: Counterexample, source?: AdapterSource): string[] | undefined {
  const { config, step, coordinate } = c;
  if (config === undefined) return undefined;
  const compare = (value: string) =>
    `console.log(${value}, 'expected', ${c.expected === undefined ? 'undefined' : js(c.expected)}, 'the check got', ${c.actual === undefined ? 'undefined' : js(c.actual)});`;
  if ('schedule' in config) {
    if (step === undefined) return undefined;
    return [
      ...loadLines(source),
      `const schedule = await adapter.schedule(${jsObject(config)});`,
      compare(`await schedule(${step})`),
      ...(source !== undefined && 'exec' in source ? ['await adapter.close();'] : []),
    ];
  }
  const { x0, gradients } = c;
  if (x0 === undefined || gradients === undefined) return undefined;
  const steps = step !== undefined && step >= 1 && step <= gradients.length ? step : gradients.length;
  const rates = c.learningRates?.slice(0, steps);
  const lines = [
    ...loadLines(source),
    `const optimizer = await adapter.create(${jsObject(config)}, Float64Array.from(${jsVector(x0)}));`,
    `const gradients = [${gradients.slice(0, steps).map(jsVector).join(', ')}];`,
  ];
  if (rates === undefined)
    lines.push('let x;', 'for (const g of gradients) x = await optimizer.step(Float64Array.from(g));');
  else
    lines.push(
      `const learningRates = ${jsVector(rates)}; // undefined: keep the current rate`,
      'let x;',
      'for (const [k, g] of gradients.entries()) x = await optimizer.step(Float64Array.from(g), learningRates[k]);',
    );
  if (c.parameters !== undefined && coordinate !== undefined)
    lines.push(
      `// the check took expected ${c.expected === undefined ? '?' : js(c.expected)} and actual ${c.actual === undefined ? '?' : js(c.actual)} from x[${coordinate}] after each step:`,
      `console.log(x[${coordinate}], 'the check saw', ${js(c.parameters[c.parameters.length - 1] ?? null)}, 'after steps 1 to ${c.parameters.length}:', ${JSON.stringify(c.parameters.map(js).join(', '))});`,
    );
  else lines.push(`// x after step ${steps}:`, compare(coordinate === undefined ? 'x' : `x[${coordinate}]`));
  if (source !== undefined && 'exec' in source) lines.push('await adapter.close();');
  return lines;
}
