import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnAdapter } from '../src/protocol/spawn-adapter.js';
import type { OptimizerConfig, ScheduleConfig } from '../src/reference/types.js';
import type { TensorStepper } from '../src/adapter/index.js';

const schema = JSON.parse(readFileSync(new URL('../docs/protocol.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
ajv.addSchema(schema);
const validator = (def: string) => ajv.getSchema(`${schema.$id}#/$defs/${def}`)!;
const answerDef: Record<string, string> = {
  hello: 'helloResponse',
  create: 'createResponse',
  step: 'stepResponse',
  steps: 'stepsResponse',
  schedule: 'scheduleResponse',
  createTensors: 'createResponse',
  stepTensors: 'stepTensorsResponse',
  save: 'saveResponse',
  restore: 'emptyResponse',
  dispose: 'emptyResponse',
  shutdown: 'emptyResponse',
};

const script = fileURLToPath(new URL('../examples/python/lecture_pure.py', import.meta.url));
const traffic: { direction: 'send' | 'receive'; line: string }[] = [];

beforeAll(async () => {
  // A session that uses every op, special numbers and an ok:false answer, recorded line by line.
  const adapter = await spawnAdapter(['python3', script], {
    onTraffic: (direction, line) => traffic.push({ direction, line }),
  });
  const configs: OptimizerConfig[] = [
    { optimizer: 'sgd', learningRate: 0.1 },
    { optimizer: 'momentum', learningRate: 0.1, rho: 0.9 },
    { optimizer: 'nesterov', learningRate: 0.1, rho: 0.9 },
    { optimizer: 'adagrad', learningRate: 0.1, epsilon: 1e-7 },
    { optimizer: 'rmsprop', learningRate: 0.1, decayRate: 0.9, epsilon: 1e-7 },
    { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  ];
  for (const config of configs) {
    const stepper = await adapter.create(config, new Float64Array([1, -0, Number.NaN, 5e-324]));
    await stepper.step(new Float64Array([0.5, Number.POSITIVE_INFINITY, -0, 1]));
    await stepper.step(new Float64Array([0.5, 1, 1, Number.NEGATIVE_INFINITY]), 0.01);
    await stepper.steps([new Float64Array(4), new Float64Array(4).fill(1)], [undefined, 0.5]);
    await stepper.steps([new Float64Array(4)]);
    await stepper.dispose();
  }
  const schedules: ScheduleConfig[] = [
    { schedule: 'step', initial: 0.1, every: 10, factor: 0.5 },
    { schedule: 'exponential', initial: 0.1, k: 0.1 },
    { schedule: 'inverse-time', initial: 0.1, k: 0.1 },
  ];
  for (const config of schedules) {
    await adapter.scheduleValues(config, [0, 1, 100]);
    adapter.schedule!(config)(7);
  }
  // Several tensors in two groups (docs/spec.md section 9): a missing gradient, a group's learning rate, save and restore.
  const tensors = (await adapter.createTensors!({
    groups: [
      { config: configs[5]!, x0: [new Float64Array([1, -0]), new Float64Array(0)] },
      { config: { ...configs[5]!, learningRate: 0.01 }, x0: [new Float64Array([Number.NaN])] },
    ],
  })) as TensorStepper;
  await tensors.step(
    [new Float64Array([0.5, Number.POSITIVE_INFINITY]), new Float64Array(0), undefined],
    [undefined, 0.1],
  );
  const state = await tensors.save!();
  await tensors.restore!(state, [new Float64Array([1, 2]), new Float64Array(0), new Float64Array([3])]);
  await tensors.dispose!();
  // every = 0 is well-formed but makes Python raise ZeroDivisionError: an ok:false answer.
  await adapter.scheduleValues({ schedule: 'step', initial: 0.1, every: 0, factor: 0.5 }, [1]).catch(() => undefined);
  await adapter.close();
});

describe('docs/protocol.schema.json', () => {
  it('the recorded session covers every op and an ok:false answer', () => {
    const ops = new Set(traffic.filter((t) => t.direction === 'send').map((t) => JSON.parse(t.line).op));
    expect([...ops].sort()).toEqual([
      'create',
      'createTensors',
      'dispose',
      'hello',
      'restore',
      'save',
      'schedule',
      'shutdown',
      'step',
      'stepTensors',
      'steps',
    ]);
    expect(traffic.some((t) => t.direction === 'receive' && JSON.parse(t.line).ok === false)).toBe(true);
  });

  it('describes every request the parent sent and every answer the Python helper wrote', () => {
    const opOf = new Map<number, string>();
    for (const { direction, line } of traffic) {
      const message = JSON.parse(line);
      const check =
        direction === 'send'
          ? validator('request')
          : validator(message.ok === false ? 'errorResponse' : answerDef[opOf.get(message.id)!]!);
      if (direction === 'send') opOf.set(message.id, message.op);
      expect(check(message), `${direction} ${line}: ${ajv.errorsText(check.errors)}`).toBe(true);
      expect(validator('response')(message) || validator('request')(message)).toBe(true);
    }
  });

  it('rejects what the parent refuses: non-numbers, unknown names, a missing id, an unknown op', () => {
    expect(validator('stepResponse')({ id: 1, ok: true, x: ['1.5'] })).toBe(false);
    expect(validator('stepResponse')({ id: 1, ok: true, x: [null] })).toBe(false);
    expect(
      validator('helloResponse')({ id: 1, ok: true, protocol: 1, name: 'a', dtype: 'float16', optimizers: [] }),
    ).toBe(false);
    expect(
      validator('helloResponse')({ id: 1, ok: true, protocol: 1, name: 'a', dtype: 'float32', optimizers: ['lion'] }),
    ).toBe(false);
    expect(validator('request')({ op: 'hello', protocol: 1 })).toBe(false);
    expect(validator('request')({ id: 1, op: 'train' })).toBe(false);
    expect(
      validator('request')({ id: 1, op: 'create', config: { optimizer: 'momentum', learningRate: 0.1 }, x0: [] }),
    ).toBe(false);
    expect(validator('errorResponse')({ id: 1, ok: false })).toBe(false);
  });
});
