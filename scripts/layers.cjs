// The layers of src/, bottom first; the folders of one row are one layer. README.md's
// "Layout" table lists the same rows (spec/layering.spec.ts), and .dependency-cruiser.cjs
// turns them into rules: a folder imports only the folders of the rows above it here.
module.exports = [
  ['numerics'],
  ['reference'],
  ['kernels'],
  ['optimizers', 'schedules'],
  ['registry'],
  ['fixtures'],
  ['adapter'],
  ['laws', 'isolation', 'protocol'],
  ['browser'],
  ['conformance'],
  ['report'],
  ['cli'],
];
