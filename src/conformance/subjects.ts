import type { Subject } from '../laws/law.js';
import { optimizerRules, scheduleRules } from '../registry/registry.js';

/** Every subject, in the registry's (the lecture's) order. */
export function allSubjects(): Subject[] {
  return [...optimizerRules.map((r) => r.name), ...scheduleRules.map((r) => `schedule:${r.name}` as const)];
}
