import { renderVegaLiteSvg } from '../../src/report/vega-svg.js';
import { LANDSCAPE_FIGURES, landscapeFigureSpec } from './landscape-figures.js';
import { scheduleFigureSpec } from './schedule-figure.js';

/** Each figure must stay under this (issue 12). */
export const MAX_FIGURE_BYTES = 200 * 1024;

/**
 * The README's figures as `[file name, SVG]`, in a fixed order: one per
 * landscape of docs/spec.md section 8 and the schedules of section 7. Pure and
 * deterministic, so CI can regenerate and compare them byte for byte.
 */
export async function lectureFigures(): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const figure of LANDSCAPE_FIGURES) {
    const { spec, text } = landscapeFigureSpec(figure);
    out.push([`${figure.name}.svg`, `${await renderVegaLiteSvg(spec, figure.name, text)}\n`]);
  }
  const schedules = scheduleFigureSpec();
  out.push(['schedules.svg', `${await renderVegaLiteSvg(schedules.spec, 'schedules', schedules.text)}\n`]);
  return out;
}
