// What src/isolation/ offers the rest of src/: an adapter module run in a worker thread, and the host's
// parts that another host (src/browser/'s, relaying to a page of Chromium) reuses.
export { isolateAdapter, type IsolatedAdapter, type IsolateOptions } from './isolate-adapter.js';
export { asHostError } from './host-faults.js';
export { HostState, perform } from './host-handlers.js';
export {
  CHILD_PID_CELL,
  HOST_CALLS,
  type HostData,
  type HostMessage,
  type HostModule,
  type HostRequest,
} from './host-protocol.js';
export { HostPump } from './host-pump.js';
