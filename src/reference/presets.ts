/** The lecture's epsilon, `1e-7`, added outside the square root (docs/spec.md sections 4 to 6). */
export const LECTURE_EPSILON = 1e-7;

/**
 * The lecture's typical hyperparameter values. The lecture gives a learning rate
 * only for Adam ("1e-3 or 5e-4 is a great starting point"); the others are the
 * user's to choose, so they have none here.
 */
export const lecturePresets = {
  momentum: { rho: [0.9, 0.99] },
  nesterov: { rho: [0.9, 0.99] },
  adagrad: { epsilon: LECTURE_EPSILON },
  rmsprop: { decayRate: [0.9, 0.99], epsilon: LECTURE_EPSILON },
  adam: { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: LECTURE_EPSILON },
  adamSlow: { optimizer: 'adam', learningRate: 5e-4, beta1: 0.9, beta2: 0.999, epsilon: LECTURE_EPSILON },
} as const;
