// What src/protocol/ offers the rest of src/: an adapter program over the JSON-lines stdio protocol.
export { spawnAdapter, type SpawnAdapterOptions, type SpawnedAdapter, type SpawnedStepper } from './spawn-adapter.js';
export { splitCommand } from './split-command.js';
export { pythonHelperFolder } from './python-helper.js';
export { parseCommandLine } from './split-command.js';
