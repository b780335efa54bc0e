// A CommonJS adapter: module.exports is the default export.
module.exports = { name: 'commonjs', dtype: 'float32', optimizers: ['adam'], schedules: [], create() {} };
