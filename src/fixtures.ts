import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LandscapeSpec } from './landscape.js';
import type { Conventions, Dtype, OptimizerConfig, OptimizerName, ScheduleConfig, ScheduleName } from './types.js';

/** Where and how a fixture file was made (scripts/generate_fixtures.py), so a stale file is detectable. */
export interface FixtureProvenance {
  formatVersion: number;
  generator: string;
  /** sha256 of the generator's source: fixtures:check regenerates and compares. */
  generatorSha256: string;
  numpy: string;
  python: string;
}

/** An open-loop run: the gradient of every step is given (one row per step). */
export interface OpenLoop {
  kind: 'open';
  gradients: number[][];
}

/** A closed-loop run: `dx = compute_gradient(x)` on a lecture landscape (docs/spec.md section 8). */
export interface ClosedLoop {
  kind: 'closed';
  landscape: LandscapeSpec;
  steps: number;
}

/** What NumPy computed after every step: row `i` is the value after step `i + 1`. */
export interface OptimizerExpectation {
  x: number[][];
  /** The gradient of every step, closed loop only. */
  dx?: number[][];
  /** The state in the lecture's names (`vx`, `grad_squared`, ...); Adam's `t` is one number per step. */
  state: Record<string, number[][] | number[]>;
}

/** One golden optimizer case: hyperparameters, inputs, and NumPy's trajectory. */
export interface OptimizerFixtureCase {
  /** `<rule>/<dtype>/<open|closed>/<regime>-<index>`. */
  id: string;
  rule: OptimizerName;
  /** `{}` for the lecture's rule; otherwise the docs/conventions.md variant it was generated with. */
  conventions: Conventions;
  dtype: Dtype;
  /** The gradient regime or landscape, e.g. `tiny`, `almost.huge`, `schedule-step`, `taco-shell`. */
  regime: string;
  config: OptimizerConfig;
  /** The learning rate of every step, when it changes between steps (a schedule applied). */
  learningRates?: number[];
  x0: number[];
  loop: OpenLoop | ClosedLoop;
  expected: OptimizerExpectation;
}

/** All cases of one rule in one dtype: `fixtures/optimizers/<rule>.<dtype>.json`. */
export interface OptimizerFixtureFile {
  provenance: FixtureProvenance;
  rule: OptimizerName;
  dtype: Dtype;
  cases: OptimizerFixtureCase[];
}

/** One schedule table: `values[i]` is the learning rate at `t[i]` (Python floats). */
export interface ScheduleFixtureCase {
  id: string;
  config: ScheduleConfig;
  t: number[];
  values: number[];
}

/** All tables of one schedule: `fixtures/schedules/<schedule>.json`. */
export interface ScheduleFixtureFile {
  provenance: FixtureProvenance;
  schedule: ScheduleName;
  cases: ScheduleFixtureCase[];
}

const NON_FINITE: Readonly<Record<string, number>> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/**
 * The fixtures folder. This file sits one level below the package root both as
 * `src/fixtures.ts` (tsx, vitest) and as `dist/fixtures.js` (built), so `../fixtures/` is right in both.
 */
export function fixturesRoot(): string {
  return fileURLToPath(new URL('../fixtures/', import.meta.url));
}

/**
 * Parses fixture JSON. Every number that can be non-finite sits in an array, where
 * the generator writes NaN and the infinities as strings (JSON has no such numbers);
 * they are decoded back here and nowhere else.
 */
export function parseFixtureJson(text: string): unknown {
  return JSON.parse(text, function decode(this: unknown, _key: string, value: unknown) {
    if (typeof value === 'string' && Array.isArray(this) && Object.hasOwn(NON_FINITE, value)) return NON_FINITE[value];
    return value;
  });
}

function readFolder<T>(folder: string): T[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => parseFixtureJson(readFileSync(join(folder, name), 'utf8')) as T);
}

/** Every optimizer fixture file, sorted by file name. */
export function loadOptimizerFixtures(root: string = fixturesRoot()): OptimizerFixtureFile[] {
  return readFolder<OptimizerFixtureFile>(join(root, 'optimizers'));
}

/** Every schedule fixture file, sorted by file name. */
export function loadScheduleFixtures(root: string = fixturesRoot()): ScheduleFixtureFile[] {
  return readFolder<ScheduleFixtureFile>(join(root, 'schedules'));
}
