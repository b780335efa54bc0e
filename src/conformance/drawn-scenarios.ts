import type { Dtype, OptimizerName } from '../reference/index.js';
import { randomScenarios, type Scenario } from './scenarios.js';

/** Drawn scenarios generated per chunk: memory stays bounded whatever `--runs` asks for. */
const CHUNK = 64;

/**
 * The `count` drawn scenarios of `rule`, generated as they are consumed. The first
 * chunk is `randomScenarios(rule, dtype, seed, ...)` itself, so runs up to 64
 * scenarios draw exactly what they drew before; chunk c > 0 is drawn from a seed
 * derived from the run's seed and c (golden-ratio increments keep them apart), so
 * the whole sequence is still reproducible from the run's seed.
 */
export function* drawnScenarios(rule: OptimizerName, dtype: Dtype, seed: number, count: number): Generator<Scenario> {
  for (let first = 0; first < count; first += CHUNK) {
    const chunk = first / CHUNK;
    const chunkSeed = chunk === 0 ? seed : (seed + Math.imul(chunk, 0x9e3779b9)) | 0;
    for (const scenario of randomScenarios(rule, dtype, chunkSeed, Math.min(CHUNK, count - first))) {
      yield { ...scenario, id: `random:${first + Number(scenario.id.slice('random:'.length))}` };
    }
  }
}
