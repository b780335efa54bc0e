// The shared base of the fault adapters over several tensors (spec/adapter-faults.spec.ts): the
// SGD of faultySgd, and createTensors as SGD over every tensor with a save and restore, whose
// answers are what `faults` says instead. Each fault lives in a file of its own, so that the
// same module runs in-process and in the worker.
import { faultySgd } from './sgd.mjs';

export function faultyTensors(name, faults = {}) {
  return {
    ...faultySgd(name),
    tensors: { tensors: true, saveRestore: true },
    createTensors(spec) {
      if (faults.createTensors) return faults.createTensors();
      const groups = spec.groups.flatMap((g) => g.x0.map(() => g.config.learningRate));
      let xs = spec.groups.flatMap((g) => g.x0.map((x) => Float64Array.from(x)));
      return {
        step(grads, learningRates) {
          xs.forEach((x, i) => {
            const lr = learningRates?.[0] ?? groups[i];
            for (let c = 0; c < x.length; c++) x[c] -= lr * (grads[i]?.[c] ?? 0);
          });
          return faults.step ? faults.step(xs) : xs.map((x) => Float64Array.from(x));
        },
        save: () => (faults.save ? faults.save() : { values: xs.map((x) => [...x]) }),
        restore(_state, params) {
          xs = params.map((p) => Float64Array.from(p));
        },
      };
    },
  };
}
