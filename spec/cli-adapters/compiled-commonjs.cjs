// An adapter as TypeScript or Babel compile `export default` to CommonJS: exports.default, flagged __esModule.
Object.defineProperty(exports, '__esModule', { value: true });
exports.default = { name: 'compiled commonjs', dtype: 'float64', optimizers: ['sgd'], create() {} };
