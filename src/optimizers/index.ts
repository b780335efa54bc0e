// What src/optimizers/ offers the rest of src/: the six reference update rules.
export { adagrad } from './adagrad.js';
export { adam } from './adam.js';
export { momentum } from './momentum.js';
export { nesterov } from './nesterov.js';
export { rmsprop } from './rmsprop.js';
export { sgd } from './sgd.js';
