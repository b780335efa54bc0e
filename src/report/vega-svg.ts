import type { TopLevelSpec } from 'vega-lite';
import { escapeXmlText } from './xml-escape.js';

/** A chart's text alternative: a short name and a longer description of what it shows. */
export interface ChartText {
  title: string;
  description: string;
}

type Libraries = [typeof import('vega'), typeof import('vega-lite')];

let libraries: Promise<Libraries> | undefined;

/**
 * vega and vega-lite load on first use only: a report without a chart (every
 * subject conforms) and every command without `--html` never pay their ~0.2 s import.
 * Text is measured by vega's estimate, never by an installed `canvas` package, so
 * the SVG is the same on every machine.
 */
function load(): Promise<Libraries> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => {
    // Missing from vega's type declarations; vega-scenegraph exports it.
    (vega as unknown as { textMetrics: { canvas(use: boolean): void } }).textMetrics.canvas(false);
    return [vega, vl];
  });
  return libraries;
}

/** Vega-Lite's warnings (an encoding dropped, a scale ignored) are errors here: a chart must show what its description says. */
function strictLogger(vega: typeof import('vega')) {
  const logger = vega.logger(vega.Warn);
  logger.warn = (...args: readonly unknown[]) => {
    throw new Error(`Vega-Lite: ${args.map(String).join(' ')}`);
  };
  return logger;
}

/** A coordinate with more digits than a screen can show, e.g. `237.99999999999997`. */
const LONG_NUMBER = /-?\d+\.\d{3,}(?:e-?\d+)?/g;

/**
 * vega's SVG carries what a static picture does not need: class names for
 * interaction, `pointer-events`, `opacity="1"`, and coordinates to 17 digits.
 * Inside attribute values only (never in text), numbers are cut to 2 decimals
 * (a hundredth of a pixel) and those attributes dropped: a chart shrinks about threefold.
 */
function compact(svg: string): string {
  return svg
    .replace(/ (?:class|pointer-events)="[^"]*"| opacity="1"/g, '')
    .replace(/(="[^"]*")/g, (value) => value.replace(LONG_NUMBER, (n) => String(Math.round(Number(n) * 100) / 100)));
}

/**
 * A Vega-Lite spec rendered to a static SVG string (no script needed to view it).
 * `id` must be unique in the page: vega's clip-path and gradient ids are
 * renamed under it, since inline SVGs share one id namespace and vega numbers
 * them from a global counter. The root `<svg>` becomes `role="img"` with a
 * `<title>` and `<desc>` (the text alternative) and its marks are hidden from
 * assistive technology, which reads the title, the description and the
 * table of numbers beside the chart instead.
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec, id: string, text: ChartText): Promise<string> {
  const [vega, vl] = await load();
  vega.resetSVGDefIds();
  const view = new vega.View(
    vega.parse(vl.compile(spec, { logger: strictLogger(vega), config: { aria: false } }).spec),
    { renderer: 'none' },
  );
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const renamed = compact(svg)
    .replace(/\bid="([^"]+)"/g, `id="${id}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${id}-$1)`);
  const labels = `<title id="${id}-title">${escapeXmlText(text.title)}</title><desc id="${id}-desc">${escapeXmlText(text.description)}</desc>`;
  return renamed.replace(
    /^<svg([^>]*)>/,
    (_m, attributes: string) =>
      `<svg${attributes} id="${id}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc">${labels}`,
  );
}
