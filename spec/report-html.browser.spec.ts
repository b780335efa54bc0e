import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport } from '../src/conformance/types.js';
import { MAX_CHARTED_PER_SUBJECT, reportToHtml } from '../src/report/html.js';
import { handwritten } from './support/planted/handwritten.js';

/**
 * Runs only under vitest.browser.config.ts (`npm run test:browser`), which
 * .ci/run calls where Chromium is installed: the page as a person opens it,
 * from disk, in Debian's Chromium. Screenshots go to reports/ (git-ignored) as
 * the CI artifact.
 */
const CHROMIUM = process.env.OPTIMSPEC_CHROMIUM ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'reports', 'html');

/** Charts the page must have, counted from the report: two per traced problem, at most MAX_CHARTED_PER_SUBJECT problems per subject. */
function expectedCharts(report: ConformanceReport): number {
  return report.results.reduce((n, r) => {
    const traced = r.findings.filter(
      (f) => f.status !== 'pass' && f.status !== 'skipped' && f.counterexample?.trace !== undefined,
    ).length;
    return n + 2 * Math.min(MAX_CHARTED_PER_SUBJECT, traced);
  }, 0);
}

/**
 * The planted adapters of spec/support/planted, checked for real: SGD with the
 * notes' `+=` slip (conventions.md known bug `ascent`), and RMSProp and Adam with
 * epsilon inside the square root (convention `epsilon-inside-sqrt`).
 */
const ADAPTERS = {
  failing: async () =>
    checkConformance(handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent', optimizers: ['sgd'] }), {
      seed: 1,
      only: ['sgd'],
    }),
  deviating: async () =>
    checkConformance(
      handwritten({
        name: 'eps-inside',
        declared: 'float32',
        conventions: { 'epsilon-inside-sqrt': true },
        optimizers: ['rmsprop', 'adam'],
      }),
      {
        seed: 1,
        only: ['rmsprop', 'adam'],
      },
    ),
};

describe('the HTML report in headless Chromium', () => {
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set OPTIMSPEC_CHROMIUM`);
    profile = mkdtempSync(join(tmpdir(), 'optimspec-chromium-'));
    mkdirSync(out, { recursive: true });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1200, height: 900 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  for (const [name, make] of Object.entries(ADAPTERS)) {
    test(`the ${name} adapter's page: no console error, no request beyond the file, every chart drawn`, async () => {
      const report = await make();
      expect(report.results.map((r) => r.verdict)).toEqual(name === 'failing' ? ['fails'] : ['deviates', 'deviates']);
      const file = join(out, `${name}.html`);
      writeFileSync(file, await reportToHtml(report));
      const url = pathToFileURL(file).href;
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('request', (r) => {
        if (r.url() !== url) problems.push(`request: ${r.url()}`);
      });
      await page.goto(url, { waitUntil: 'load' });
      const expected = expectedCharts(report);
      expect(expected).toBe(name === 'failing' ? 2 * MAX_CHARTED_PER_SUBJECT : 4 * MAX_CHARTED_PER_SUBJECT);
      const charts = page.locator('svg[role="img"]');
      expect(await charts.count()).toBe(expected);
      for (let i = 0; i < expected; i++) {
        const chart = charts.nth(i);
        const box = await chart.boundingBox();
        expect(box!.width).toBeGreaterThan(300);
        expect(box!.height).toBeGreaterThan(150);
        // The accessible name is the chart's <title>.
        const labelledBy = await chart.getAttribute('aria-labelledby');
        expect(await page.locator(`[id="${labelledBy}"]`).textContent()).toMatch(
          /parameter value per step|error against the derived bound/,
        );
        // The data are drawn: lines (`L` segments) or, for a one-step counterexample, point symbols (`A` arcs, placed by a translate).
        expect(await chart.locator('path[d*="L"], path[transform][d*="A"]').count()).toBeGreaterThan(1);
      }
      expect(await page.locator('table.verdicts tbody tr').count()).toBe(report.results.length);
      await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
      await page.close();
      expect(problems).toEqual([]);
    });
  }
});
