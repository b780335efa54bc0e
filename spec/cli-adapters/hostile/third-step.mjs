// The shared base of the hostile adapters: a plain SGD (whatever optimizer is asked for)
// whose 3rd step, counted over every instance of the module, calls `misbehave(grad)`.
// What that returns is the step's answer; undefined lets the step answer normally. The
// misbehaviour lives in each adapter's own file, so its stack frames name that file.
export function misbehavingOnThirdStep(name, misbehave) {
  let calls = 0;
  return {
    name,
    dtype: 'float64',
    optimizers: ['sgd', 'momentum'],
    create(config, x0) {
      const x = Float64Array.from(x0);
      let lr = config.learningRate;
      return {
        step(grad, learningRate) {
          calls++;
          const answer = calls === 3 ? misbehave(grad) : undefined;
          if (answer !== undefined) return answer;
          if (learningRate !== undefined) lr = learningRate;
          for (let i = 0; i < x.length; i++) x[i] -= lr * grad[i];
          return x;
        },
      };
    },
  };
}
