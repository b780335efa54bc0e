/**
 * Why each cell of the conformance matrix (docs/matrix.md) has the verdict it
 * has: per row and subject, the verdict, conventions and known bug that the
 * library's SOURCE implies under conventions.md, and the source lines that say
 * so. scripts/matrix.ts merges this in, checks that every quoted line really is
 * at that line of the installed file, and treats a checker verdict with no
 * matching entry here as an error.
 */
import type { Verdict } from '../src/conformance/types.js';
import type { Subject } from '../src/laws/law.js';
import type { ConventionId, KnownBugId } from '../src/reference/types.js';
import type { TensorSubject } from '../src/adapter/index.js';

/** One quoted source line: `quote` must occur in line `line` of `file`. */
export interface SourceLine {
  /** For npm rows a path under node_modules/; for Python rows a path under the directory that holds the `torch` package. */
  file: string;
  /** 1-based. */
  line: number;
  quote: string;
}

/** What the library's source implies for one subject, and the lines that show it. */
export interface CellSource {
  verdict: Verdict;
  /** Sorted, as the checker reports them. */
  conventions: ConventionId[];
  bug?: KnownBugId;
  why: string;
  lines: SourceLine[];
}

/** The justification of one matrix row. */
export interface RowSources {
  row: string;
  /** Where `SourceLine.file` is found: the project's node_modules, or the Python site directory holding torch. */
  base: 'node_modules' | 'python';
  /** A public link to a quoted line, where there is one. */
  link?: (line: SourceLine) => string;
  /** Every subject of a single vector; the checks over several tensors (lecture.md section 9) where the row justifies them. */
  cells: Record<Exclude<Subject, TensorSubject>, CellSource> & Partial<Record<TensorSubject, CellSource>>;
}

const CONVNET = 'convnetjs/build/convnet.js';
const convnetMethods: SourceLine = {
  file: CONVNET,
  line: 1763,
  quote:
    "this.method = typeof options.method !== 'undefined' ? options.method : 'sgd'; // sgd/adagrad/adadelta/windowgrad",
};
const convnetL2: SourceLine = { file: CONVNET, line: 1827, quote: 'var l2grad = l2_decay * (p[j]);' };
const convnetGij: SourceLine = {
  file: CONVNET,
  line: 1829,
  quote: 'var gij = (l2grad + l1grad + g[j]) / this.batch_size; // raw batch gradient',
};
const convnetNoSchedule = (subject: string): CellSource => ({
  verdict: 'unsupported',
  conventions: [],
  why: `convnetjs has no learning-rate schedules (${subject}): the Trainer reads a constant learning_rate; the adapter declares none`,
  lines: [
    {
      file: CONVNET,
      line: 1759,
      quote: "this.learning_rate = typeof options.learning_rate !== 'undefined' ? options.learning_rate : 0.01;",
    },
  ],
});

const TFJS = '@tensorflow/tfjs-core/dist/optimizers';
const tfjsConstructors: SourceLine = {
  file: `${TFJS}/optimizer_constructors.js`,
  line: 62,
  quote: 'static sgd(learningRate) {',
};
const tfjsNoSchedule: CellSource = {
  verdict: 'unsupported',
  conventions: [],
  why: 'tfjs-core has no learning-rate schedules: tf.train offers optimizers only (sgd, momentum, rmsprop, adam, adadelta, adamax, adagrad)',
  lines: [tfjsConstructors],
};

const WASM = '@tensorflow/tfjs-backend-wasm/dist';
const wasmMultiply: SourceLine = {
  file: `${WASM}/kernels/Multiply.js`,
  line: 20,
  quote: 'export const multiplyConfig = createBinaryKernelConfig(Multiply, supportsFullBroadcast);',
};
const wasmDivide: SourceLine = {
  file: `${WASM}/kernels/RealDiv.js`,
  line: 20,
  quote: 'export const realDivConfig = createBinaryKernelConfig(RealDiv, supportsFullBroadcast);',
};
const wasmCwrap: SourceLine = {
  file: `${WASM}/kernels/binary_kernel.js`,
  line: 22,
  quote: 'wasmFunc = backend.wasm.cwrap(kernelName, null /* void */, [',
};
const wasmSqrt: SourceLine = {
  file: `${WASM}/kernels/Sqrt.js`,
  line: 19,
  quote: 'export const sqrtConfig = createUnaryKernelConfig(Sqrt);',
};
const wasmPow: SourceLine = {
  file: `${WASM}/kernels/Pow.js`,
  line: 20,
  quote: 'export const powConfig = createBinaryKernelConfig(Pow, supportsFullBroadcast);',
};
const missing = (subject: string): never => {
  throw new Error(`matrix-sources: the tfjs row justifies no ${subject}`);
};
const wasmPrecision: SourceLine = { file: `${WASM}/backend_wasm.js`, line: 126, quote: 'return 32;' };
/**
 * What the WASM backend changes in a cell of the CPU row: the optimizers are tfjs-core's
 * own (the same lines), only the kernels differ. Add, Multiply, Sub and RealDiv in float32
 * are XNNPACK's elementwise operators (tfjs-backend-wasm/src/cc/kernels/Add.cc:
 * binary_xnn_f32 with xnn_create_add_nd_f32, and so on), Sqrt and Square C++ loops
 * (`sqrt`, `val * val`); WebAssembly's f32 add, sub, mul, div and sqrt are IEEE-754
 * correctly rounded with subnormals kept, and none of these kernels fuses a multiply-add.
 */
const WASM_KERNELS =
  "on the WASM backend these tfjs-core ops run as XNNPACK's float32 add, multiply, subtract and divide and C++'s sqrt and x * x, each correctly rounded in WebAssembly (no fused multiply-add, subnormals kept) as the CPU backend's JavaScript is: the same verdict";

/** The CPU row's cell for the WASM backend: its verdict and lines, with the kernels that compute them. */
function onWasm(cell: CellSource, kernels: readonly SourceLine[]): CellSource {
  return { ...cell, why: `${cell.why}; ${WASM_KERNELS}`, lines: [...cell.lines, ...kernels] };
}

/** The tfjs-wasm row from the tfjs row: every optimizer cell computed by the WASM kernels, the rest unchanged. */
function tfjsWasmCells(cpu: RowSources['cells']): RowSources['cells'] {
  const arithmetic = [wasmMultiply, wasmCwrap];
  const divides = [...arithmetic, wasmDivide, wasmSqrt];
  return {
    ...cpu,
    sgd: onWasm(cpu.sgd, arithmetic),
    momentum: onWasm(cpu.momentum, arithmetic),
    nesterov: onWasm(cpu.nesterov, arithmetic),
    adagrad: {
      ...onWasm(cpu.adagrad, [...divides, wasmPrecision]),
      why: `${cpu.adagrad.why}; the WASM backend's float precision is 32, so its epsilon() is tfjs-core's EPSILON_FLOAT32 = 1e-7 as on the CPU; ${WASM_KERNELS}`,
    },
    rmsprop: onWasm(cpu.rmsprop, divides),
    adam: onWasm(cpu.adam, divides),
    'tensors:several': onWasm(cpu['tensors:several'] ?? missing('tensors:several'), arithmetic),
    'tensors:missing-gradient': onWasm(
      cpu['tensors:missing-gradient'] ?? missing('tensors:missing-gradient'),
      arithmetic,
    ),
    'tensors:save-restore': {
      ...(cpu['tensors:save-restore'] ?? missing('tensors:save-restore')),
      lines: [...(cpu['tensors:save-restore'] ?? missing('tensors:save-restore')).lines, wasmPow],
      why: `${(cpu['tensors:save-restore'] ?? missing('tensors:save-restore')).why}; on the WASM backend setWeights' pow is the Pow kernel (C++ pow in float32), training's accBeta still XNNPACK's repeated multiplication: they part by rounding as on the CPU`,
    },
  };
}

const DL = 'deeplearn/dist/optimizers';
const dlNoSchedule: CellSource = {
  verdict: 'unsupported',
  conventions: [],
  why: 'deeplearn.js has no learning-rate schedules: dl.train offers optimizers only',
  lines: [
    {
      file: `${DL}/optimizer_constructors.js`,
      line: 20,
      quote: 'OptimizerConstructors.sgd = function (learningRate) {',
    },
  ],
};

const BRAIN = 'brain.js/dist/neural-network.js';
const brainFloat32: SourceLine = {
  file: 'brain.js/dist/utilities/zeros.js',
  line: 8,
  quote: 'return new Float32Array(size);',
};
const brainMomentumLine: SourceLine = {
  file: BRAIN,
  line: 764,
  quote: 'change = this.trainOpts.learningRate * delta * incoming[k] + this.trainOpts.momentum * change;',
};
const brainBiasSgd: SourceLine = {
  file: BRAIN,
  line: 769,
  quote: 'this.biases[layer][node] += this.trainOpts.learningRate * delta;',
};
const brainPraxis: SourceLine = { file: BRAIN, line: 69, quote: 'praxis: null,' };
const brainOnly = (subject: string): CellSource => ({
  verdict: 'unsupported',
  conventions: [],
  why: `brain.js 1.6.1 trains with momentum (praxis null) or Adam (praxis 'adam') only: no ${subject}`,
  lines: [brainPraxis],
});
const brainNoSchedule: CellSource = {
  verdict: 'unsupported',
  conventions: [],
  why: 'brain.js applies trainOpts.learningRate unchanged on every adjustWeights call: no schedules',
  lines: [brainBiasSgd],
};

const TOY = 'toygrad/dist/trainers/abstract.js';
const toyL2: SourceLine = { file: TOY, line: 63, quote: 'let l2grad = l2_decay * (p[j]);' };
const toyGij: SourceLine = {
  file: TOY,
  line: 64,
  quote: 'let gij = (l2grad + l1grad + g[j]) / this.batchSize; // raw batch gradient',
};
const toyTrainers: SourceLine = { file: 'toygrad/dist/trainers/index.js', line: 9, quote: 'Adadelta,' };
const toyNoSchedule: CellSource = {
  verdict: 'unsupported',
  conventions: [],
  why: 'toygrad has no learning-rate schedules: its trainers read one learningRate',
  lines: [{ file: TOY, line: 11, quote: 'this.learningRate = options.learningRate ?? 0.01;' }],
};

const torchLink = (l: SourceLine): string => `https://github.com/pytorch/pytorch/blob/v1.13.1/${l.file}#L${l.line}`;
const SGD_PY = 'torch/optim/sgd.py';
const LR_PY = 'torch/optim/lr_scheduler.py';
const torchCells: RowSources['cells'] = {
  sgd: {
    verdict: 'conforms',
    conventions: [],
    why: 'SGD with momentum 0 skips the buffer and adds -lr * grad: x - lr * dx (weight_decay 0 is skipped, no 0 * x)',
    lines: [
      { file: SGD_PY, line: 231, quote: 'if momentum != 0:' },
      { file: SGD_PY, line: 245, quote: 'param.add_(d_p, alpha=-lr)' },
    ],
  },
  momentum: {
    verdict: 'deviates',
    conventions: ['non-finite'],
    why: "buf = momentum * buf + grad (dampening 0), then x -= lr * buf: the lecture's vx = rho vx + dx; x -= lr vx, the learning rate outside the velocity; but at momentum 0 the buffer is skipped, so an infinite gradient leaves x infinite where the spec's 0 * vx makes it NaN",
    lines: [
      { file: SGD_PY, line: 231, quote: 'if momentum != 0:' },
      { file: SGD_PY, line: 238, quote: 'buf.mul_(momentum).add_(d_p, alpha=1 - dampening)' },
      { file: SGD_PY, line: 243, quote: 'd_p = buf' },
      { file: SGD_PY, line: 245, quote: 'param.add_(d_p, alpha=-lr)' },
    ],
  },
  nesterov: {
    verdict: 'deviates',
    conventions: ['lr-placement'],
    why: 'nesterov=True steps with grad + momentum * buf and x -= lr * (dx + rho b): the lr-outside form; torch refuses momentum 0 with ValueError, so the checks at rho = 0 are skipped',
    lines: [
      { file: SGD_PY, line: 241, quote: 'd_p = d_p.add(buf, alpha=momentum)' },
      { file: SGD_PY, line: 245, quote: 'param.add_(d_p, alpha=-lr)' },
      {
        file: SGD_PY,
        line: 108,
        quote: 'raise ValueError("Nesterov momentum requires a momentum and zero dampening")',
      },
    ],
  },
  adagrad: {
    verdict: 'conforms',
    conventions: [],
    why: 'state_sum += grad^2; std = sqrt(state_sum) + eps (eps outside the root); x -= clr * grad / std with clr = lr at lr_decay 0; the accumulator starts at initial_accumulator_value = 0',
    lines: [
      { file: 'torch/optim/adagrad.py', line: 277, quote: 'state_sum.addcmul_(grad, grad, value=1)' },
      { file: 'torch/optim/adagrad.py', line: 278, quote: 'std = state_sum.sqrt().add_(eps)' },
      { file: 'torch/optim/adagrad.py', line: 279, quote: 'param.addcdiv_(grad, std, value=-clr)' },
    ],
  },
  rmsprop: {
    verdict: 'conforms',
    conventions: [],
    why: "square_avg = alpha * square_avg + (1 - alpha) grad^2; x -= lr * grad / (sqrt(square_avg) + eps): the lecture's rule with decay_rate = alpha, eps outside the root",
    lines: [
      {
        file: 'torch/optim/rmsprop.py',
        line: 245,
        quote: 'square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)',
      },
      { file: 'torch/optim/rmsprop.py', line: 254, quote: 'avg = square_avg.sqrt()' },
      { file: 'torch/optim/rmsprop.py', line: 268, quote: 'param.addcdiv_(grad, avg, value=-lr)' },
    ],
  },
  adam: {
    verdict: 'conforms',
    conventions: [],
    why: 'the full Adam with the bias correction split (conventions.md lists it as the same rule): step_size = lr / (1 - beta1**t), denom = sqrt(v) / sqrt(1 - beta2**t) + eps',
    lines: [
      { file: 'torch/optim/adam.py', line: 363, quote: 'exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)' },
      { file: 'torch/optim/adam.py', line: 400, quote: 'step_size = lr / bias_correction1' },
      {
        file: 'torch/optim/adam.py',
        line: 410,
        quote: 'denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)',
      },
      { file: 'torch/optim/adam.py', line: 412, quote: 'param.addcdiv_(exp_avg, denom, value=-step_size)' },
    ],
  },
  'schedule:step': {
    verdict: 'conforms',
    conventions: [],
    why: 'StepLR multiplies the rate by gamma at every multiple of step_size: initial * factor ** floor(t / every) by repeated multiplication, counted from 0 (value at t = 0 is initial)',
    lines: [
      { file: LR_PY, line: 384, quote: 'if (self.last_epoch == 0) or (self.last_epoch % self.step_size != 0):' },
      { file: LR_PY, line: 386, quote: "return [group['lr'] * self.gamma" },
    ],
  },
  'schedule:exponential': {
    verdict: 'conforms',
    conventions: [],
    why: "ExponentialLR multiplies the previous rate by gamma = exp(-k) at each step: initial * exp(-k t) as repeated multiplication, one of conventions.md's legitimate evaluation orders",
    lines: [{ file: LR_PY, line: 592, quote: "return [group['lr'] * self.gamma" }],
  },
  'schedule:inverse-time': {
    verdict: 'conforms',
    conventions: [],
    why: 'torch has no 1/t class; LambdaLR gives base_lr * lambda(t) with lambda(t) = 1 / (1 + k t): the same value up to rounding',
    lines: [{ file: LR_PY, line: 260, quote: 'return [base_lr * lmbda(self.last_epoch)' }],
  },
  'tensors:several': {
    verdict: 'conforms',
    conventions: [],
    why: "one optimizer over every parameter, each with its own state dict (self.state[p]), Adam's step counter among it",
    lines: [
      { file: 'torch/optim/adam.py', line: 202, quote: "for p in group['params']:" },
      { file: 'torch/optim/adam.py', line: 209, quote: 'state = self.state[p]' },
      { file: 'torch/optim/adam.py', line: 212, quote: "state['step'] = (" },
    ],
  },
  'tensors:missing-gradient': {
    verdict: 'conforms',
    conventions: [],
    why: "a parameter whose .grad is None is skipped, its values, state and state['step'] untouched (the step counter is per parameter)",
    lines: [
      { file: 'torch/optim/adam.py', line: 203, quote: 'if p.grad is not None:' },
      { file: SGD_PY, line: 139, quote: 'if p.grad is not None:' },
    ],
  },
  'tensors:groups': {
    verdict: 'conforms',
    conventions: [],
    why: 'each param group carries its own hyperparameters and learning rate, read per group in step()',
    lines: [
      { file: 'torch/optim/adam.py', line: 185, quote: 'for group in self.param_groups:' },
      { file: 'torch/optim/optimizer.py', line: 300, quote: 'def add_param_group(self, param_group):' },
    ],
  },
  'tensors:own-schedule': {
    verdict: 'conforms',
    conventions: [],
    why: "scheduler.step() after optimizer.step() writes the next rate into every group's lr, so update t uses schedule(t), the same values the schedule column checks",
    lines: [{ file: LR_PY, line: 172, quote: "param_group['lr'] = lr" }],
  },
  'tensors:save-restore': {
    verdict: 'conforms',
    conventions: [],
    why: "state_dict() holds every state tensor (moments, buffers, step) and the groups' learning rates, the scheduler's state_dict() its position; load_state_dict casts the state to the parameter's dtype, which is the state's own here (float32 with float32, float64 with float64)",
    lines: [
      { file: 'torch/optim/optimizer.py', line: 151, quote: 'def state_dict(self):' },
      { file: 'torch/optim/optimizer.py', line: 217, quote: 'value = value.to(param.dtype)' },
      { file: LR_PY, line: 86, quote: 'def state_dict(self):' },
    ],
  },
};

/**
 * PyTorch in bfloat16: the same Python as in float32 (torch/optim/*.py has no dtype
 * branch), each tensor operation rounded to bfloat16; what differs is where a state is
 * not kept in the parameter's dtype.
 */
const torchBfloat16Cells: RowSources['cells'] = {
  ...torchCells,
  adam: {
    ...torchCells.adam,
    why: `${torchCells.adam.why}; the step counter is torch.tensor(0.), a float32 tensor whatever the parameter's dtype, so it counts exactly to 2^24 and does not stop at bfloat16's 256 (no step-counter-saturates)`,
    lines: [...torchCells.adam.lines, { file: 'torch/optim/adam.py', line: 215, quote: 'else torch.tensor(0.)' }],
  },
  'tensors:save-restore': {
    verdict: 'conforms',
    conventions: [],
    why: "state_dict() holds every state tensor (moments, buffers, step) and the groups' learning rates, the scheduler's state_dict() its position; load_state_dict casts every state tensor but step to the parameter's dtype (bfloat16, the state's own) and leaves Adam's float32 step as it is, so nothing is rounded on the way back",
    lines: [
      { file: 'torch/optim/optimizer.py', line: 151, quote: 'def state_dict(self):' },
      { file: 'torch/optim/optimizer.py', line: 215, quote: 'if (key != "step"):' },
      { file: 'torch/optim/optimizer.py', line: 217, quote: 'value = value.to(param.dtype)' },
      { file: LR_PY, line: 86, quote: 'def state_dict(self):' },
    ],
  },
};

/** torch 1.13's CPU build has no float16 addcmul: the optimizer raises on its first step, so the example adapter does not declare it. */
const torchNoHalf = (file: string, line: number, quote: string, name: string): CellSource => ({
  verdict: 'unsupported',
  conventions: [],
  why: `torch refuses ${name} in float16 on the CPU: its first step raises RuntimeError "addcmul_cpu_out" not implemented for 'Half' at this addcmul_ (the CPU kernel has no float16 version), so examples/python/pytorch_adapter.py, which probes each optimizer at start-up, does not declare it`,
  lines: [{ file, line, quote }],
});

/** PyTorch in float16 on the CPU: SGD, Momentum and Nesterov run (as in bfloat16); the three that use addcmul_ do not. */
const torchFloat16Cells: RowSources['cells'] = {
  ...torchBfloat16Cells,
  adagrad: torchNoHalf('torch/optim/adagrad.py', 277, 'state_sum.addcmul_(grad, grad, value=1)', 'Adagrad'),
  rmsprop: torchNoHalf(
    'torch/optim/rmsprop.py',
    245,
    'square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)',
    'RMSprop',
  ),
  adam: torchNoHalf(
    'torch/optim/adam.py',
    364,
    'exp_avg_sq.mul_(beta2).addcmul_(grad, grad.conj(), value=1 - beta2)',
    'Adam',
  ),
  'tensors:several': {
    verdict: 'conforms',
    conventions: [],
    why: 'checked over the optimizers torch steps in float16 (SGD, Momentum, Nesterov): one optimizer over every parameter, each with its own momentum_buffer in self.state[p]',
    lines: [
      { file: SGD_PY, line: 138, quote: "for p in group['params']:" },
      { file: SGD_PY, line: 145, quote: 'state = self.state[p]' },
    ],
  },
  'tensors:missing-gradient': {
    verdict: 'conforms',
    conventions: [],
    why: 'a parameter whose .grad is None is skipped, its values and momentum buffer untouched (SGD keeps no step counter)',
    lines: [{ file: SGD_PY, line: 139, quote: 'if p.grad is not None:' }],
  },
  'tensors:groups': {
    verdict: 'conforms',
    conventions: [],
    why: 'each param group carries its own hyperparameters and learning rate, read per group in step()',
    lines: [
      { file: SGD_PY, line: 132, quote: 'for group in self.param_groups:' },
      { file: 'torch/optim/optimizer.py', line: 300, quote: 'def add_param_group(self, param_group):' },
    ],
  },
  'tensors:save-restore': {
    verdict: 'conforms',
    conventions: [],
    why: "state_dict() holds the momentum buffers and the groups' learning rates, the scheduler's state_dict() its position; load_state_dict casts the buffers to the parameter's dtype, float16, the buffers' own: nothing is rounded on the way back",
    lines: [
      { file: 'torch/optim/optimizer.py', line: 151, quote: 'def state_dict(self):' },
      { file: 'torch/optim/optimizer.py', line: 217, quote: 'value = value.to(param.dtype)' },
      { file: LR_PY, line: 86, quote: 'def state_dict(self):' },
    ],
  },
};

/** Every row's justification, keyed by the row ids of scripts/matrix.ts. */
const WEBGL = '@tensorflow/tfjs-backend-webgl/dist';
/** Every op of the row is a fragment shader in GLSL ES 3.00 with highp floats: the arithmetic the row declares. */
const webglHighp: SourceLine = { file: `${WEBGL}/shader_compiler.js`, line: 225, quote: 'precision highp float;' };
const webglVersion: SourceLine = { file: `${WEBGL}/glsl_version.js`, line: 30, quote: "version = '#version 300 es';" };
/** The division shader: `a == b` gives 1, so 0 / 0 and Infinity / Infinity are 1, not NaN. */
const webglDivEqual: SourceLine = { file: `${WEBGL}/kernels/RealDiv.js`, line: 22, quote: 'if (a == b) {' };
const webglDivOne: SourceLine = { file: `${WEBGL}/kernels/RealDiv.js`, line: 23, quote: 'return 1.0;' };
const webglDivPacked: SourceLine = { file: `${WEBGL}/kernels/RealDiv.js`, line: 32, quote: 'if(a.x == b.x) {' };
const webglSqrt: SourceLine = { file: `${WEBGL}/kernels/Sqrt.js`, line: 20, quote: 'const SQRT = `return sqrt(x);`;' };
const webglNoSchedule: CellSource = {
  ...tfjsNoSchedule,
  why: `${tfjsNoSchedule.why}; the WebGL backend adds kernels, not optimizers`,
};

export const matrixSources: readonly RowSources[] = [
  {
    row: 'tfjs',
    base: 'node_modules',
    cells: {
      sgd: {
        verdict: 'conforms',
        conventions: [],
        why: 'value + c * gradient with c = scalar(-learningRate): x - lr * dx',
        lines: [
          { file: `${TFJS}/sgd_optimizer.js`, line: 50, quote: 'const newValue = add(mul(this.c, gradient), value);' },
          { file: `${TFJS}/sgd_optimizer.js`, line: 64, quote: 'this.c = keep(scalar(-learningRate));' },
        ],
      },
      momentum: {
        verdict: 'conforms',
        conventions: [],
        why: "accumulation = m * accumulation + gradient; value += c * accumulation: the lecture's vx = rho vx + dx; x -= lr vx",
        lines: [
          {
            file: `${TFJS}/momentum_optimizer.js`,
            line: 64,
            quote: 'const newAccumulation = add(mul(this.m, accumulation), gradient);',
          },
          {
            file: `${TFJS}/momentum_optimizer.js`,
            line: 69,
            quote: 'newValue = add(mul(this.c, newAccumulation), value);',
          },
        ],
      },
      nesterov: {
        verdict: 'deviates',
        conventions: ['lr-placement'],
        why: 'useNesterov adds c * (gradient + m * newAccumulation): x -= lr (dx + rho b), the learning rate outside the velocity',
        lines: [
          {
            file: `${TFJS}/momentum_optimizer.js`,
            line: 66,
            quote: 'newValue = add(mul(this.c, add(gradient, mul(newAccumulation, this.m))), value);',
          },
        ],
      },
      adagrad: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'initial-accumulator'],
        why: 'the accumulator starts at initialAccumulatorValue = 0.1 and the step divides by sqrt(accumulator + backend epsilon)',
        lines: [
          {
            file: `${TFJS}/adagrad_optimizer.js`,
            line: 35,
            quote: 'constructor(learningRate, initialAccumulatorValue = 0.1) {',
          },
          {
            file: `${TFJS}/adagrad_optimizer.js`,
            line: 65,
            quote: 'sqrt(add(newAccumulatedGrad, ENGINE.backend.epsilon()))',
          },
        ],
      },
      rmsprop: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'non-finite'],
        why: 'gradient * learningRate / sqrt(meanSquare + epsilon), momentum 0, not centered; the moment is still formed as momentum * accumulatedMoments + ..., so at momentum 0 an infinite moment becomes NaN on the next step',
        lines: [
          {
            file: `${TFJS}/rmsprop_optimizer.js`,
            line: 103,
            quote: 'div(mul(gradient, this.learningRate), sqrt(add(newAccumulatedMeanSquare, this.epsilon)))',
          },
          {
            file: `${TFJS}/rmsprop_optimizer.js`,
            line: 103,
            quote: 'const newAccumulatedMoments = add(mul(accumulatedMoments, this.momentum),',
          },
        ],
      },
      adam: {
        verdict: 'conforms',
        conventions: [],
        why: 'both moments divided by 1 - beta**t (accBeta by repeated float32 multiplication), epsilon outside the root',
        lines: [
          {
            file: `${TFJS}/adam_optimizer.js`,
            line: 86,
            quote: 'const biasCorrectedFirstMoment = div(newFirstMoment, oneMinusAccBeta1);',
          },
          { file: `${TFJS}/adam_optimizer.js`, line: 90, quote: 'add(sqrt(biasCorrectedSecondMoment), this.epsilon)' },
          {
            file: `${TFJS}/adam_optimizer.js`,
            line: 93,
            quote: 'this.accBeta1.assign(mul(this.accBeta1, this.beta1));',
          },
        ],
      },
      'schedule:step': tfjsNoSchedule,
      'schedule:exponential': tfjsNoSchedule,
      'schedule:inverse-time': tfjsNoSchedule,
      'tensors:several': {
        verdict: 'conforms',
        conventions: [],
        why: 'one applyGradients over every variable, each with its own state slot (accumulatedFirstMoment[i], accumulations[i]); the moments and the step are per variable, accBeta the same for all while every variable gets a gradient',
        lines: [
          { file: `${TFJS}/adam_optimizer.js`, line: 61, quote: 'varNames.forEach((name, i) => {' },
          { file: `${TFJS}/adam_optimizer.js`, line: 64, quote: 'if (this.accumulatedFirstMoment[i] == null) {' },
          { file: `${TFJS}/momentum_optimizer.js`, line: 48, quote: 'if (this.accumulations[i] == null) {' },
        ],
      },
      'tensors:missing-gradient': {
        verdict: 'deviates',
        conventions: ['global-step'],
        why: "a variable given a null gradient is skipped (its values and moments untouched), but Adam's accBeta1/accBeta2 are multiplied once per applyGradients, whatever variables got a gradient: one step counter for all (global-step); the other optimizers keep no counter",
        lines: [
          { file: `${TFJS}/adam_optimizer.js`, line: 79, quote: 'if (gradient == null) {' },
          {
            file: `${TFJS}/adam_optimizer.js`,
            line: 93,
            quote: 'this.accBeta1.assign(mul(this.accBeta1, this.beta1));',
          },
        ],
      },
      'tensors:groups': {
        verdict: 'unsupported',
        conventions: [],
        why: 'a TF.js optimizer has one set of hyperparameters for every variable it is given (no parameter groups); the adapter declares none',
        lines: [
          {
            file: `${TFJS}/adam_optimizer.js`,
            line: 37,
            quote: 'constructor(learningRate, beta1, beta2, epsilon = null) {',
          },
        ],
      },
      'tensors:own-schedule': tfjsNoSchedule,
      'tensors:save-restore': {
        verdict: 'fails',
        conventions: [],
        bug: 'state-lost-on-restore',
        why: "getWeights() saves the iteration count and the moments but not Adam's accBeta1/accBeta2; setWeights() recomputes them as beta ** (iterations + 1) with pow, where training built them by repeated multiplication: the restored Adam parts from the uninterrupted run by rounding (the other optimizers restore bit for bit)",
        lines: [
          {
            file: `${TFJS}/adam_optimizer.js`,
            line: 93,
            quote: 'this.accBeta1.assign(mul(this.accBeta1, this.beta1));',
          },
          {
            file: `${TFJS}/adam_optimizer.js`,
            line: 116,
            quote: 'this.accBeta1.assign(pow(this.beta1, this.iterations_ + 1));',
          },
        ],
      },
    },
  },
  {
    row: 'convnetjs',
    base: 'node_modules',
    cells: {
      sgd: {
        verdict: 'deviates',
        conventions: ['non-finite'],
        why: 'p += -learning_rate * gij is the spec, but gij = (l2grad + l1grad + g) with l2grad = l2_decay * p formed even at l2_decay = 0: an infinite parameter becomes NaN',
        lines: [convnetL2, convnetGij, { file: CONVNET, line: 1860, quote: 'p[j] +=  - this.learning_rate * gij;' }],
      },
      momentum: {
        verdict: 'deviates',
        conventions: ['lr-placement', 'non-finite'],
        why: 'dx = momentum * gsum - learning_rate * gij; p += dx: the learning rate inside the velocity (v = rho v - lr dx); and l2_decay * p makes an infinite parameter NaN',
        lines: [
          { file: CONVNET, line: 1855, quote: 'var dx = this.momentum * gsumi[j] - this.learning_rate * gij; // step' },
          convnetL2,
        ],
      },
      nesterov: {
        verdict: 'unsupported',
        conventions: [],
        why: 'the npm release 0.3.0 has no Nesterov: its Trainer methods are sgd/adagrad/adadelta/windowgrad',
        lines: [convnetMethods],
      },
      adagrad: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'non-finite'],
        why: 'gsum += gij^2; p += -learning_rate / sqrt(gsum + eps) * gij: eps inside the root; l2_decay * p makes an infinite parameter NaN',
        lines: [
          { file: CONVNET, line: 1835, quote: 'gsumi[j] = gsumi[j] + gij * gij;' },
          { file: CONVNET, line: 1836, quote: 'var dx = - this.learning_rate / Math.sqrt(gsumi[j] + this.eps) * gij;' },
          convnetL2,
        ],
      },
      rmsprop: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'non-finite'],
        why: 'windowgrad: gsum = ro * gsum + (1 - ro) gij^2; p += -learning_rate / sqrt(gsum + eps) * gij: RMSProp with eps inside the root; l2_decay * p makes an infinite parameter NaN',
        lines: [
          { file: CONVNET, line: 1842, quote: 'gsumi[j] = this.ro * gsumi[j] + (1-this.ro) * gij * gij;' },
          {
            file: CONVNET,
            line: 1843,
            quote:
              'var dx = - this.learning_rate / Math.sqrt(gsumi[j] + this.eps) * gij; // eps added for better conditioning',
          },
          convnetL2,
        ],
      },
      adam: {
        verdict: 'unsupported',
        conventions: [],
        why: 'the npm release 0.3.0 has no Adam (the later GitHub source has one that multiplies by 1 - beta**t, bias-correction-multiplied, never published to npm; see the toygrad row, its port)',
        lines: [convnetMethods],
      },
      'schedule:step': convnetNoSchedule('step'),
      'schedule:exponential': convnetNoSchedule('exponential'),
      'schedule:inverse-time': convnetNoSchedule('inverse-time'),
    },
  },
  {
    row: 'toygrad',
    base: 'node_modules',
    cells: {
      sgd: {
        verdict: 'deviates',
        conventions: ['non-finite'],
        why: 'p += -learningRate * gij is the spec, but gij = (l2grad + l1grad + g) with l2grad = l2_decay * p formed even at l2decay = 0: an infinite parameter becomes NaN',
        lines: [toyL2, toyGij, { file: TOY, line: 101, quote: 'p[j] += -this.learningRate * gij;' }],
      },
      momentum: {
        verdict: 'deviates',
        conventions: ['lr-placement', 'non-finite'],
        why: 'dx = momentum * gsum - learningRate * gij; p += dx: the learning rate inside the velocity (v = rho v - lr dx); and l2_decay * p makes an infinite parameter NaN',
        lines: [
          { file: TOY, line: 95, quote: 'let dx = this.momentum * gsumi[j] - this.learningRate * gij; // step' },
          toyL2,
        ],
      },
      nesterov: {
        verdict: 'deviates',
        conventions: ['non-finite'],
        why: "w = rho w + lr gij; p += rho w_old - (1 + rho) w is the lecture's Nesterov with w = -v (the learning rate inside the velocity, as in the spec); only l2_decay * p makes an infinite parameter NaN",
        lines: [
          { file: TOY, line: 87, quote: 'let dx = gsumi[j];' },
          { file: TOY, line: 88, quote: 'gsumi[j] = gsumi[j] * this.momentum + this.learningRate * gij;' },
          { file: TOY, line: 89, quote: 'dx = this.momentum * dx - (1 + this.momentum) * gsumi[j];' },
          toyL2,
        ],
      },
      adagrad: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'non-finite'],
        why: 'gsum += gij^2; p += -learningRate / sqrt(gsum + eps) * gij: eps inside the root; l2_decay * p makes an infinite parameter NaN',
        lines: [
          { file: TOY, line: 76, quote: 'gsumi[j] = gsumi[j] + gij * gij;' },
          { file: TOY, line: 77, quote: 'let dx = -this.learningRate / Math.sqrt(gsumi[j] + this.eps) * gij;' },
          toyL2,
        ],
      },
      rmsprop: {
        verdict: 'unsupported',
        conventions: [],
        why: "toygrad's trainers are Adadelta, Adagrad, Adam, Nesterov and SGD: no RMSProp (convnetjs's windowgrad was dropped)",
        lines: [toyTrainers],
      },
      adam: {
        verdict: 'fails',
        conventions: ['non-finite'],
        bug: 'bias-correction-multiplied',
        why: "the moments are MULTIPLIED by 1 - beta**k instead of divided, so the first step is lr (1 - beta1)^2 / (1 - beta2) = 10 lr at the lecture's betas; otherwise only l2_decay * p (non-finite) differs",
        lines: [
          {
            file: TOY,
            line: 70,
            quote:
              'let biasCorr1 = gsumi[j] * (1 - Math.pow(this.beta1, this.k)); // correct bias first moment estimate',
          },
          {
            file: TOY,
            line: 71,
            quote:
              'let biasCorr2 = xsumi[j] * (1 - Math.pow(this.beta2, this.k)); // correct bias second moment estimate',
          },
          {
            file: TOY,
            line: 72,
            quote: 'let dx = -this.learningRate * biasCorr1 / (Math.sqrt(biasCorr2) + this.eps);',
          },
          { file: TOY, line: 29, quote: 'this.k++;' },
        ],
      },
      'schedule:step': toyNoSchedule,
      'schedule:exponential': toyNoSchedule,
      'schedule:inverse-time': toyNoSchedule,
    },
  },
  {
    row: 'deeplearn',
    base: 'node_modules',
    cells: {
      sgd: {
        verdict: 'conforms',
        conventions: [],
        why: 'c * gradient + value with c = scalar(-learningRate): x - lr * dx',
        lines: [
          { file: `${DL}/sgd_optimizer.js`, line: 33, quote: 'var newValue = _this.c.mul(gradient).add(value);' },
          {
            file: `${DL}/sgd_optimizer.js`,
            line: 43,
            quote: 'this.c = environment_1.ENV.math.keep(ops_1.scalar(-learningRate));',
          },
        ],
      },
      momentum: {
        verdict: 'conforms',
        conventions: [],
        why: 'accumulation = m * accumulation + gradient; value += c * accumulation: vx = rho vx + dx; x -= lr vx',
        lines: [
          {
            file: `${DL}/momentum_optimizer.js`,
            line: 46,
            quote: 'var newAccumulation = _this.m.mul(accumulation).add(gradient);',
          },
          {
            file: `${DL}/momentum_optimizer.js`,
            line: 52,
            quote: 'newValue = _this.c.mul(newAccumulation).add(value);',
          },
        ],
      },
      nesterov: {
        verdict: 'deviates',
        conventions: ['lr-placement'],
        why: 'useNesterov adds c * (gradient + m * newAccumulation): x -= lr (dx + rho b), the learning rate outside the velocity',
        lines: [
          {
            file: `${DL}/momentum_optimizer.js`,
            line: 49,
            quote: '_this.c.mul(gradient.add(newAccumulation.mul(_this.m))).add(value);',
          },
        ],
      },
      adagrad: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'initial-accumulator'],
        why: 'the accumulator starts at initialAccumulatorValue = 0.1 and the step divides by sqrt(accumulator + epsilon)',
        lines: [
          {
            file: `${DL}/adagrad_optimizer.js`,
            line: 22,
            quote: 'if (initialAccumulatorValue === void 0) { initialAccumulatorValue = 0.1; }',
          },
          {
            file: `${DL}/adagrad_optimizer.js`,
            line: 50,
            quote: '.mul(gradient.div(newAccumulatedGrad.add(_this.epsilon).sqrt()))',
          },
        ],
      },
      rmsprop: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'non-finite'],
        why: 'moment = momentum * moment + c * gradient / sqrt(meanSquare + epsilon) with momentum 0; value -= moment: the product momentum * moment is formed at momentum 0, so an infinite moment becomes NaN on the next step',
        lines: [
          {
            file: `${DL}/rmsprop_optimizer.js`,
            line: 63,
            quote: 'var newAccumulatedMoments = _this.momentum.mul(accumulatedMoments)',
          },
          {
            file: `${DL}/rmsprop_optimizer.js`,
            line: 64,
            quote: '.add(_this.c.mul(gradient).div(newAccumulatedMeanSquare.add(_this.epsilon).sqrt()));',
          },
        ],
      },
      adam: {
        verdict: 'conforms',
        conventions: [],
        why: 'both moments divided by 1 - accBeta (accBeta by repeated float32 multiplication), epsilon added outside the root',
        lines: [
          {
            file: `${DL}/adam_optimizer.js`,
            line: 65,
            quote: 'var biasCorrectedFirstMoment = newFirstMoment.div(oneMinusAccBeta1);',
          },
          {
            file: `${DL}/adam_optimizer.js`,
            line: 70,
            quote: '.mul(biasCorrectedFirstMoment.div(_this.eps.add(biasCorrectedSecondMoment.sqrt())))',
          },
          {
            file: `${DL}/adam_optimizer.js`,
            line: 74,
            quote: '_this.accBeta1.assign(_this.accBeta1.mul(_this.beta1));',
          },
        ],
      },
      'schedule:step': dlNoSchedule,
      'schedule:exponential': dlNoSchedule,
      'schedule:inverse-time': dlNoSchedule,
    },
  },
  {
    row: 'brainjs-weights',
    base: 'node_modules',
    cells: {
      sgd: {
        verdict: 'unsupported',
        conventions: [],
        why: "brain.js has no momentum-free training: its option check accepts momentum only in (0, 1), 'out of normal training range' otherwise",
        lines: [
          { file: BRAIN, line: 391, quote: "return typeof val === 'number' && val > 0 && val < 1;" },
          brainMomentumLine,
        ],
      },
      momentum: {
        verdict: 'deviates',
        conventions: ['lr-placement'],
        why: 'change = learningRate * delta * input + momentum * change; weight += change (delta is the negative gradient): v = rho v - lr dx; x += v, the learning rate inside the velocity',
        lines: [
          brainMomentumLine,
          { file: BRAIN, line: 767, quote: 'this.weights[layer][node][k] += change;' },
          brainFloat32,
        ],
      },
      nesterov: brainOnly('Nesterov'),
      adagrad: brainOnly('AdaGrad'),
      rmsprop: brainOnly('RMSProp'),
      adam: {
        verdict: 'conforms',
        conventions: [],
        why: 'for weights the moments are updated first and divided by 1 - beta**iterations, epsilon outside the root',
        lines: [
          {
            file: BRAIN,
            line: 814,
            quote:
              'var changeLow = this.changesLow[layer][node][k] * trainOpts.beta1 + (1 - trainOpts.beta1) * gradient;',
          },
          {
            file: BRAIN,
            line: 817,
            quote: 'var momentumCorrection = changeLow / (1 - Math.pow(trainOpts.beta1, this.iterations));',
          },
          {
            file: BRAIN,
            line: 822,
            quote:
              'this.weights[layer][node][k] += this.trainOpts.learningRate * momentumCorrection / (Math.sqrt(gradientCorrection) + trainOpts.epsilon);',
          },
        ],
      },
      'schedule:step': brainNoSchedule,
      'schedule:exponential': brainNoSchedule,
      'schedule:inverse-time': brainNoSchedule,
    },
  },
  {
    row: 'brainjs-biases',
    base: 'node_modules',
    cells: {
      sgd: {
        verdict: 'conforms',
        conventions: [],
        why: 'bias += learningRate * delta (delta is the negative gradient): x - lr * dx',
        lines: [brainBiasSgd],
      },
      momentum: {
        verdict: 'fails',
        conventions: ['non-finite'],
        why: "biases get no momentum at all: bias += learningRate * delta whatever trainOpts.momentum is, so every step after the first is plain SGD; with no velocity there is no 0 * vx at momentum 0, so an infinite gradient leaves the bias infinite where the spec's velocity makes it NaN",
        lines: [brainBiasSgd, brainMomentumLine],
      },
      nesterov: brainOnly('Nesterov'),
      adagrad: brainOnly('AdaGrad'),
      rmsprop: brainOnly('RMSProp'),
      adam: {
        verdict: 'fails',
        conventions: ['non-finite'],
        bug: 'stale-moments',
        why: "the bias step divides the moments of the PREVIOUS step (biasChangesLow before it is updated) by 1 - beta**t: the first step does not move and later steps lag by one; so a NaN gradient reaches the bias one step after the spec's, and at learning rate 0 (the edge fixtures, where nothing else moves) that NaN is the only difference: non-finite",
        lines: [
          {
            file: BRAIN,
            line: 829,
            quote:
              'var biasMomentumCorrection = this.biasChangesLow[layer][node] / (1 - Math.pow(trainOpts.beta1, this.iterations));',
          },
          { file: BRAIN, line: 832, quote: 'this.biasChangesLow[layer][node] = biasChangeLow;' },
          {
            file: BRAIN,
            line: 834,
            quote:
              'this.biases[layer][node] += trainOpts.learningRate * biasMomentumCorrection / (Math.sqrt(biasGradientCorrection) + trainOpts.epsilon);',
          },
        ],
      },
      'schedule:step': brainNoSchedule,
      'schedule:exponential': brainNoSchedule,
      'schedule:inverse-time': brainNoSchedule,
    },
  },
  {
    row: 'tfjs-wasm',
    base: 'node_modules',
    get cells() {
      const cpu = matrixSources.find((r) => r.row === 'tfjs');
      if (cpu === undefined)
        throw new Error('matrix-sources: the tfjs-wasm row derives from the tfjs row, which is missing');
      return tfjsWasmCells(cpu.cells);
    },
  },
  {
    row: 'tfjs-webgl',
    base: 'node_modules',
    cells: {
      sgd: {
        verdict: 'conforms',
        conventions: [],
        why: "tfjs-core's SGDOptimizer (the cpu row's code) on the WebGL backend: value + c * gradient as the shaders `a * b` and `a + b`, correctly rounded in GLSL ES 3.00 highp; a subnormal flushed to 0 is within that arithmetic's promise",
        lines: [
          { file: `${TFJS}/sgd_optimizer.js`, line: 50, quote: 'const newValue = add(mul(this.c, gradient), value);' },
          { file: `${WEBGL}/kernels/Multiply.js`, line: 24, quote: "const MUL = 'return a * b;';" },
          { file: `${WEBGL}/kernels/Add.js`, line: 20, quote: "const ADD = 'return a + b;';" },
          webglHighp,
          webglVersion,
        ],
      },
      momentum: {
        verdict: 'conforms',
        conventions: [],
        why: "accumulation = m * accumulation + gradient; value += c * accumulation, the lecture's rule, each op a highp shader of + and *",
        lines: [
          {
            file: `${TFJS}/momentum_optimizer.js`,
            line: 64,
            quote: 'const newAccumulation = add(mul(this.m, accumulation), gradient);',
          },
          { file: `${WEBGL}/kernels/Add.js`, line: 20, quote: "const ADD = 'return a + b;';" },
          webglHighp,
        ],
      },
      nesterov: {
        verdict: 'deviates',
        conventions: ['lr-placement'],
        why: 'useNesterov adds c * (gradient + m * newAccumulation): x -= lr (dx + rho b), the learning rate outside the velocity, as on the cpu backend',
        lines: [
          {
            file: `${TFJS}/momentum_optimizer.js`,
            line: 66,
            quote: 'newValue = add(mul(this.c, add(gradient, mul(newAccumulation, this.m))), value);',
          },
          webglHighp,
        ],
      },
      adagrad: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'initial-accumulator', 'non-finite'],
        why: 'as on the cpu backend (accumulator from 0.1, sqrt(accumulator + epsilon)), plus non-finite: the division shader returns 1 where a == b, so an infinite gradient over the square root of its infinite accumulator gives 1, not NaN',
        lines: [
          {
            file: `${TFJS}/adagrad_optimizer.js`,
            line: 35,
            quote: 'constructor(learningRate, initialAccumulatorValue = 0.1) {',
          },
          {
            file: `${TFJS}/adagrad_optimizer.js`,
            line: 65,
            quote: 'sqrt(add(newAccumulatedGrad, ENGINE.backend.epsilon()))',
          },
          webglDivEqual,
          webglDivOne,
          webglSqrt,
        ],
      },
      rmsprop: {
        verdict: 'deviates',
        conventions: ['epsilon-inside-sqrt', 'non-finite'],
        why: "epsilon inside the root as on the cpu backend, plus non-finite: with eps = 0 and a zero gradient the step is 0 / sqrt(0) = 0 / 0, NaN by the rule, which the division shader answers 1 (a == b), so x moves by -lr where the spec's parameter is NaN (the zero-epsilon fixture); the source has no default, only RealDiv's 0 / 0 = 1",
        lines: [
          {
            file: `${TFJS}/rmsprop_optimizer.js`,
            line: 103,
            quote: 'div(mul(gradient, this.learningRate), sqrt(add(newAccumulatedMeanSquare, this.epsilon)))',
          },
          webglDivEqual,
          webglDivOne,
          webglDivPacked,
        ],
      },
      adam: {
        verdict: 'deviates',
        conventions: ['non-finite'],
        why: "the cpu backend's Adam (which conforms) on shaders, plus non-finite: the division shader answers 1 where a == b, so with eps = 0 and a zero gradient m_hat / (sqrt(v_hat) + 0) = 0 / 0, NaN by the rule, is 1 and x moves by -lr where the spec's parameter is NaN (the zero-epsilon fixture; no default in the source), and Infinity / Infinity is 1 too",
        lines: [
          { file: `${TFJS}/adam_optimizer.js`, line: 90, quote: 'add(sqrt(biasCorrectedSecondMoment), this.epsilon)' },
          webglDivEqual,
          webglDivOne,
          webglDivPacked,
        ],
      },
      'schedule:step': webglNoSchedule,
      'schedule:exponential': webglNoSchedule,
      'schedule:inverse-time': webglNoSchedule,
    },
  },
  { row: 'pytorch-float32', base: 'python', link: torchLink, cells: torchCells },
  { row: 'pytorch-float64', base: 'python', link: torchLink, cells: torchCells },
  { row: 'pytorch-bfloat16', base: 'python', link: torchLink, cells: torchBfloat16Cells },
  { row: 'pytorch-float16', base: 'python', link: torchLink, cells: torchFloat16Cells },
];
