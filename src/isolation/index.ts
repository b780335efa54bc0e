// What src/isolation/ offers the rest of src/: an adapter module run in a worker thread.
export { isolateAdapter, type IsolatedAdapter, type IsolateOptions } from './isolate-adapter.js';
