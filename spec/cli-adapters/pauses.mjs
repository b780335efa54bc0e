// SGD and Momentum as the lecture writes them (lecture.md sections 1 and 2), float64, as a user's module that
// pauses: at its step call number OPTIMSPEC_PAUSE_AT it writes the file OPTIMSPEC_PAUSE_FILE and never answers
// that call (correct, only slow), so that a test can interrupt the checker while a subject's check is surely in
// progress (spec/interrupted.spec.ts).
import { writeFileSync } from 'node:fs';

const pauseAt = Number(process.env.OPTIMSPEC_PAUSE_AT);
let steps = 0;

export default {
  name: 'pauses (lecture rules)',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum'],
  create(config, x0) {
    const x = Float64Array.from(x0);
    const vx = new Float64Array(x0.length);
    let lr = config.learningRate;
    return {
      step(dx, learningRate) {
        if (++steps === pauseAt) {
          writeFileSync(process.env.OPTIMSPEC_PAUSE_FILE, String(steps));
          return new Promise(() => undefined);
        }
        if (learningRate !== undefined) lr = learningRate;
        for (let i = 0; i < x.length; i++) {
          if (config.optimizer === 'momentum') {
            vx[i] = config.rho * vx[i] + dx[i];
            x[i] -= lr * vx[i];
          } else x[i] -= lr * dx[i];
        }
        return x;
      },
    };
  },
};
