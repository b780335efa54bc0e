import type { Arithmetic } from '../numerics/index.js';
import type { Dtype, OptimizerName, ScheduleName } from '../reference/index.js';
import type { WireNumber } from './wire-number.js';
import type { TensorSupport } from '../adapter/index.js';

/**
 * The protocol version this package speaks (docs/protocol.md, "Versioning").
 * A child answers `hello` with the version it speaks; a different one is refused.
 */
export const PROTOCOL_VERSION = 1;

/** The operations of the protocol, in the order a session uses them. */
export type ProtocolOp =
  | 'hello'
  | 'create'
  | 'step'
  | 'steps'
  | 'schedule'
  | 'createTensors'
  | 'stepTensors'
  | 'save'
  | 'restore'
  | 'dispose'
  | 'shutdown';

/** A handle the child chose for an optimizer instance; echoed back verbatim. */
export type Handle = string | number;

/** A config on the wire: the `OptimizerConfig` / `ScheduleConfig` fields, numbers encoded. */
export type WireConfig = Record<string, string | WireNumber>;

/** `hello`: the handshake, always the first request. */
export interface HelloRequest {
  id: number;
  op: 'hello';
  protocol: number;
}

/** `create`: a new optimizer instance with these hyperparameters, starting at `x0`. */
export interface CreateRequest {
  id: number;
  op: 'create';
  config: WireConfig;
  x0: WireNumber[];
}

/** `step`: one update; `learningRate`, when present, replaces the learning rate from this step on. */
export interface StepRequest {
  id: number;
  op: 'step';
  handle: Handle;
  grad: WireNumber[];
  learningRate?: WireNumber;
}

/** `steps`: a batch of `step`s in one round trip; `null` learning rate means unchanged. */
export interface StepsRequest {
  id: number;
  op: 'steps';
  handle: Handle;
  grads: WireNumber[][];
  learningRates?: (WireNumber | null)[];
}

/** `schedule`: the values of a learning-rate schedule at the times `t` (counted from 0). */
export interface ScheduleRequest {
  id: number;
  op: 'schedule';
  config: WireConfig;
  t: number[];
}

/**
 * `createTensors`: an instance over several tensors in groups (docs/spec.md section 9); sent
 * only to a child that declared `tensors` in its `hello` answer.
 */
export interface CreateTensorsRequest {
  id: number;
  op: 'createTensors';
  groups: { config: WireConfig; schedule?: WireConfig; x0: WireNumber[][] }[];
}

/** `stepTensors`: one step, a gradient per tensor or `null` for none; per group a learning rate or `null`. */
export interface StepTensorsRequest {
  id: number;
  op: 'stepTensors';
  handle: Handle;
  grads: (WireNumber[] | null)[];
  learningRates?: (WireNumber | null)[];
}

/** `save`: the instance's whole state, as JSON. */
export interface SaveRequest {
  id: number;
  op: 'save';
  handle: Handle;
}

/** `restore`: a state `save` answered (here or for another instance of the same groups), and every tensor's values. */
export interface RestoreRequest {
  id: number;
  op: 'restore';
  handle: Handle;
  state: unknown;
  params: WireNumber[][];
}

/** `dispose`: forget an instance. */
export interface DisposeRequest {
  id: number;
  op: 'dispose';
  handle: Handle;
}

/** `shutdown`: answer, then exit with status 0. */
export interface ShutdownRequest {
  id: number;
  op: 'shutdown';
}

/** Every request the parent sends. */
export type ProtocolRequest =
  | HelloRequest
  | CreateRequest
  | StepRequest
  | StepsRequest
  | ScheduleRequest
  | CreateTensorsRequest
  | StepTensorsRequest
  | SaveRequest
  | RestoreRequest
  | DisposeRequest
  | ShutdownRequest;

/** A failed request: the child's own message, e.g. the exception it raised. */
export interface ErrorResponse {
  id: number | null;
  ok: false;
  error: string;
}

/** The child's answer to `hello`. */
export interface HelloResponse {
  id: number;
  ok: true;
  protocol: number;
  name: string;
  dtype: Dtype;
  /** The arithmetic it computes on; absent, IEEE-754 (src/numerics/arithmetic.ts). */
  arithmetic?: Arithmetic;
  optimizers: OptimizerName[];
  schedules?: ScheduleName[];
  /** The uses of docs/spec.md section 9 it supports; absent, none (and their ops are never sent). */
  tensors?: TensorSupport;
}

/** The answer to `create`. */
export interface CreateResponse {
  id: number;
  ok: true;
  handle: Handle;
}

/** The answer to `step`: the parameters after the update. */
export interface StepResponse {
  id: number;
  ok: true;
  x: WireNumber[];
}

/** The answer to `steps`: the parameters after each update. */
export interface StepsResponse {
  id: number;
  ok: true;
  xs: WireNumber[][];
}

/** The answer to `schedule`: one value per requested `t`. */
export interface ScheduleResponse {
  id: number;
  ok: true;
  values: WireNumber[];
}

/** The answer to `stepTensors`: every tensor's values after the step. */
export interface StepTensorsResponse {
  id: number;
  ok: true;
  xs: WireNumber[][];
}

/** The answer to `save`: the state in the child's own format, JSON with the protocol's numbers. */
export interface SaveResponse {
  id: number;
  ok: true;
  state: unknown;
}

/** The answer to `dispose`, `restore` and `shutdown`. */
export interface EmptyResponse {
  id: number;
  ok: true;
}

/** Every line the child may write to stdout. */
export type ProtocolResponse =
  | ErrorResponse
  | HelloResponse
  | CreateResponse
  | StepResponse
  | StepsResponse
  | ScheduleResponse
  | StepTensorsResponse
  | SaveResponse
  | EmptyResponse;
