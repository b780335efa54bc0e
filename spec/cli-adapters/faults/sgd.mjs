// The shared base of the fault adapters (spec/adapter-faults.spec.ts): a plain SGD whose
// 3rd step, counted over every instance of the module, answers `misstep(x)` instead, and
// whose other calls answer what `faults` says. Each fault lives in a file of its own, so
// that the same module runs in-process and in the worker.
export function faultySgd(name, faults = {}) {
  let steps = 0;
  const adapter = {
    name,
    dtype: 'float64',
    optimizers: ['sgd'],
    create(config, x0) {
      if (faults.create) return faults.create();
      const x = Float64Array.from(x0);
      const stepper = {
        step(grad, learningRate) {
          steps++;
          if (faults.step && steps === 3) return faults.step(x);
          const lr = learningRate ?? config.learningRate;
          for (let i = 0; i < x.length; i++) x[i] -= lr * grad[i];
          return x;
        },
      };
      if (faults.steps) stepper.steps = faults.steps;
      return stepper;
    },
  };
  if (faults.schedule) {
    adapter.schedules = ['step'];
    adapter.schedule = faults.schedule;
  }
  return adapter;
}
