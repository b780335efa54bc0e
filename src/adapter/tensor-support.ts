import { describeValue, type ScheduleName } from '../reference/index.js';
import type { TensorSupport } from './tensor-contract.js';

/**
 * The checks of docs/spec.md section 9, one subject each (a column of the matrix): several
 * tensors stepped together equal each alone; a missing gradient leaves a tensor alone;
 * groups are independent optimizers; the optimizer's own schedule; save and restore.
 */
export const TENSOR_SUBJECTS = [
  'tensors:several',
  'tensors:missing-gradient',
  'tensors:groups',
  'tensors:own-schedule',
  'tensors:save-restore',
] as const;

/** A subject of docs/spec.md section 9. */
export type TensorSubject = (typeof TENSOR_SUBJECTS)[number];

/** Whether a subject id is one of {@link TENSOR_SUBJECTS}. */
export function isTensorSubject(subject: string): subject is TensorSubject {
  return (TENSOR_SUBJECTS as readonly string[]).includes(subject);
}

/** An adapter's declared support, every field present (off when the adapter said nothing). */
export interface DeclaredSupport {
  tensors: boolean;
  missingGradients: boolean;
  groups: boolean;
  saveRestore: boolean;
  schedules: readonly ScheduleName[];
}

/** Reads an adapter's `tensors` declaration; anything but `true` is off, and a getter that throws declares nothing. */
export function declaredSupport(adapter: { tensors?: TensorSupport }): DeclaredSupport {
  let declared: TensorSupport | undefined;
  try {
    declared = adapter.tensors;
  } catch {
    declared = undefined;
  }
  const on = (key: 'tensors' | 'missingGradients' | 'groups' | 'saveRestore'): boolean => {
    try {
      return typeof declared === 'object' && declared !== null && declared[key] === true;
    } catch {
      return false;
    }
  };
  let schedules: readonly ScheduleName[] = [];
  try {
    const listed = declared?.schedules;
    if (Array.isArray(listed)) schedules = listed.filter((s): s is ScheduleName => typeof s === 'string');
  } catch {
    schedules = [];
  }
  const tensors = on('tensors');
  return {
    tensors,
    missingGradients: tensors && on('missingGradients'),
    groups: tensors && on('groups'),
    saveRestore: tensors && on('saveRestore'),
    schedules: tensors ? schedules : [],
  };
}

/** Why a subject is `unsupported` for an adapter, or undefined when it is checked. */
export function unsupportedBecause(subject: TensorSubject, support: DeclaredSupport): string | undefined {
  if (!support.tensors) return 'the adapter does not declare tensors: { tensors: true } (createTensors)';
  switch (subject) {
    case 'tensors:several':
      return undefined;
    case 'tensors:missing-gradient':
      return support.missingGradients ? undefined : 'the adapter does not declare missingGradients';
    case 'tensors:groups':
      return support.groups ? undefined : 'the adapter does not declare groups';
    case 'tensors:own-schedule':
      return support.schedules.length > 0 ? undefined : 'the adapter declares no schedule its optimizer applies itself';
    case 'tensors:save-restore':
      return support.saveRestore ? undefined : 'the adapter does not declare saveRestore';
  }
}

const SWITCHES = ['tensors', 'missingGradients', 'groups', 'saveRestore'] as const;
const SCHEDULE_NAMES: readonly ScheduleName[] = ['step', 'exponential', 'inverse-time'];

/**
 * Validates a declared {@link TensorSupport} (an adapter's `tensors`, a child's `hello`
 * field) so a misdeclaration is refused before any check, with an error naming the field
 * and value: an object of the known switches as booleans and `schedules` as schedule names.
 */
export function requireTensorSupport(field: string, value: unknown): TensorSupport {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(
      `${field} must be an object such as { tensors: true, saveRestore: true }, got ${describeValue(value)}`,
    );
  const known = [...SWITCHES, 'schedules'];
  for (const key of Object.keys(value))
    if (!known.includes(key)) throw new RangeError(`${field}.${key} is not a known use (one of ${known.join(', ')})`);
  const v = value as Record<string, unknown>;
  const out: TensorSupport = {};
  for (const key of SWITCHES) {
    if (v[key] === undefined) continue;
    if (typeof v[key] !== 'boolean')
      throw new TypeError(`${field}.${key} must be a boolean, got ${describeValue(v[key])}`);
    out[key] = v[key];
  }
  if (v.schedules !== undefined) {
    if (!Array.isArray(v.schedules))
      throw new TypeError(`${field}.schedules must be an array of schedule names, got ${describeValue(v.schedules)}`);
    const seen: ScheduleName[] = [];
    v.schedules.forEach((name, i) => {
      if (!(SCHEDULE_NAMES as readonly unknown[]).includes(name))
        throw new RangeError(
          `${field}.schedules[${i}] must be one of ${SCHEDULE_NAMES.join(', ')}, got ${describeValue(name)}`,
        );
      if (seen.includes(name as ScheduleName))
        throw new RangeError(`${field}.schedules[${i}] repeats ${JSON.stringify(name)}`);
      seen.push(name as ScheduleName);
    });
    out.schedules = seen;
  }
  return out;
}
