#!/usr/bin/env python3
"""Golden fixtures for optimspec, computed with NumPy from lecture.md's pseudo-code.

Usage: python3 scripts/generate_fixtures.py <output-folder>

The update rules below are lecture.md sections 1 to 7, line for line: same variable
names, same expressions, epsilon a parameter where the lecture writes 1e-7. The only
differences, each marked where it occurs:
  - state starts as np.zeros_like(x) (the lecture's `vx = 0`), so it has x's dtype;
  - `x -= ...` (descent) where the notes print `x += ...` (lecture.md Decision);
  - Adam counts t from 1 (lecture.md Decision);
  - `while True:` becomes one iteration per entry of `learning_rates`, so a case can
    change the learning rate between steps (how a schedule is applied).
Scalar expressions use Python floats and `math` (never np.float64 scalars, which are
strong types under NEP 50 and would upcast float32 arrays). NumPy warnings are off so
NaN and Inf propagate as NumPy propagates them. The dtypes are float64, float32 and
float16 (NumPy's own arrays) and bfloat16, which NumPy lacks: the same functions run on
BFloat16Array, whose every operator is float32 arithmetic rounded to bfloat16 (lecture.md
section 9; the class documents the rounding line by line).

Output: JSON, deterministic, floats written with repr (exact round trip), non-finite
values as the strings "NaN", "Infinity", "-Infinity"; float32 values are written as the
exact double of the float32. fixtures/schema.json documents the format. Besides the
trajectories, fixtures/rounding/<dtype>.json records how doubles round to float16 (NumPy's
cast) and bfloat16 (exact integer rounding here: NumPy has none), for the tests of
src/numerics/half-precision.ts.
"""

import hashlib
import json
import math
import os
import sys

import numpy as np

FORMAT_VERSION = 1
GENERATOR_PATH = 'scripts/generate_fixtures.py'
DTYPES = ('float32', 'float64', 'float16', 'bfloat16')
LECTURE_EPSILON = 1e-7


# ---------------------------------------------------------------------------
# lecture.md section 1: SGD
def sgd(x, compute_gradient, learning_rates, record):
    for learning_rate in learning_rates:  # while True: (one learning rate per step)
        dx = compute_gradient(x)
        x -= learning_rate * dx  # Decision: descent; the notes print +=
        record(x, dx)


# lecture.md section 2: SGD + Momentum
def momentum(x, compute_gradient, learning_rates, rho, record):
    vx = np.zeros_like(x)  # vx = 0
    for learning_rate in learning_rates:  # while True:
        dx = compute_gradient(x)
        vx = rho * vx + dx
        x -= learning_rate * vx  # Decision: descent; the notes print +=
        record(x, dx, vx=vx)


# lecture.md section 3: Nesterov Momentum (change of variables)
def nesterov(x, compute_gradient, learning_rates, rho, record):
    v = np.zeros_like(x)  # v = 0
    for learning_rate in learning_rates:  # while True:
        dx = compute_gradient(x)
        old_v = v
        v = rho * v - learning_rate * dx
        x += -rho * old_v + (1 + rho) * v
        record(x, dx, v=v)


# lecture.md section 4: AdaGrad
def adagrad(x, compute_gradient, learning_rates, epsilon, record):
    grad_squared = np.zeros_like(x)  # grad_squared = 0
    for learning_rate in learning_rates:  # while True:
        dx = compute_gradient(x)
        grad_squared += dx * dx
        x -= learning_rate * dx / (np.sqrt(grad_squared) + epsilon)
        record(x, dx, grad_squared=grad_squared)


# lecture.md section 5: RMSProp
def rmsprop(x, compute_gradient, learning_rates, decay_rate, epsilon, record):
    grad_squared = np.zeros_like(x)  # grad_squared = 0
    for learning_rate in learning_rates:  # while True:
        dx = compute_gradient(x)
        grad_squared = decay_rate * grad_squared + (1 - decay_rate) * dx * dx
        x -= learning_rate * dx / (np.sqrt(grad_squared) + epsilon)
        record(x, dx, grad_squared=grad_squared)


# lecture.md section 6: Adam (almost), no bias correction
def adam_almost(x, compute_gradient, learning_rates, beta1, beta2, epsilon, record):
    first_moment = np.zeros_like(x)  # first_moment = 0
    second_moment = np.zeros_like(x)  # second_moment = 0
    for learning_rate in learning_rates:  # while True:
        dx = compute_gradient(x)
        first_moment = beta1 * first_moment + (1 - beta1) * dx  # momentum
        second_moment = beta2 * second_moment + (1 - beta2) * dx * dx  # AdaGrad / RMSProp
        x -= learning_rate * first_moment / (np.sqrt(second_moment) + epsilon)
        record(x, dx, first_moment=first_moment, second_moment=second_moment)


# lecture.md section 6: Adam, full form
def adam(x, compute_gradient, learning_rates, beta1, beta2, epsilon, record):
    first_moment = np.zeros_like(x)  # first_moment = 0
    second_moment = np.zeros_like(x)  # second_moment = 0
    num_iterations = len(learning_rates)
    for t in range(1, num_iterations + 1):  # Decision: t counts updates from 1
        learning_rate = learning_rates[t - 1]  # one learning rate per step
        dx = compute_gradient(x)
        first_moment = beta1 * first_moment + (1 - beta1) * dx
        second_moment = beta2 * second_moment + (1 - beta2) * dx * dx
        first_unbias = first_moment / (1 - beta1 ** t)
        second_unbias = second_moment / (1 - beta2 ** t)
        x -= learning_rate * first_unbias / (np.sqrt(second_unbias) + epsilon)
        record(x, dx, first_moment=first_moment, second_moment=second_moment, t=t)


# lecture.md section 7: learning rate decay, t counted from 0
def step_decay(alpha0, factor, every, t):
    return alpha0 * factor ** math.floor(t / every)


def exponential_decay(alpha0, k, t):
    return alpha0 * math.exp(-k * t)


def inverse_time_decay(alpha0, k, t):
    return alpha0 / (1 + k * t)


# ---------------------------------------------------------------------------
# NOT the lecture's rules: the library conventions of conventions.md, written from
# its formulas, so the reference's convention variants have fixtures too.
def momentum_dampened(x, compute_gradient, learning_rates, rho, record):  # dampened-momentum
    vx = np.zeros_like(x)
    for learning_rate in learning_rates:
        dx = compute_gradient(x)
        vx = rho * vx + (1 - rho) * dx
        x -= learning_rate * vx
        record(x, dx, vx=vx)


def momentum_lr_inside(x, compute_gradient, learning_rates, rho, record):  # lr-placement (Sutskever)
    v = np.zeros_like(x)
    for learning_rate in learning_rates:
        dx = compute_gradient(x)
        v = rho * v - learning_rate * dx
        x += v
        record(x, dx, v=v)


def nesterov_lr_outside(x, compute_gradient, learning_rates, rho, record):  # lr-placement (PyTorch)
    b = np.zeros_like(x)
    for learning_rate in learning_rates:
        dx = compute_gradient(x)
        b = rho * b + dx
        x -= learning_rate * (dx + rho * b)
        record(x, dx, b=b)


def adagrad_variant(x, compute_gradient, learning_rates, epsilon, initial_accumulator, eps_inside, record):
    grad_squared = np.full_like(x, initial_accumulator)  # initial-accumulator
    for learning_rate in learning_rates:
        dx = compute_gradient(x)
        grad_squared += dx * dx
        if eps_inside:  # epsilon-inside-sqrt
            x -= learning_rate * dx / np.sqrt(grad_squared + epsilon)
        else:
            x -= learning_rate * dx / (np.sqrt(grad_squared) + epsilon)
        record(x, dx, grad_squared=grad_squared)


def rmsprop_variant(x, compute_gradient, learning_rates, decay_rate, epsilon, initial_accumulator, eps_inside, record):
    grad_squared = np.full_like(x, initial_accumulator)  # initial-accumulator
    for learning_rate in learning_rates:
        dx = compute_gradient(x)
        grad_squared = decay_rate * grad_squared + (1 - decay_rate) * dx * dx
        if eps_inside:  # epsilon-inside-sqrt
            x -= learning_rate * dx / np.sqrt(grad_squared + epsilon)
        else:
            x -= learning_rate * dx / (np.sqrt(grad_squared) + epsilon)
        record(x, dx, grad_squared=grad_squared)


def adam_epsilon_hat(x, compute_gradient, learning_rates, beta1, beta2, epsilon, record):  # epsilon-hat
    first_moment = np.zeros_like(x)
    second_moment = np.zeros_like(x)
    for t in range(1, len(learning_rates) + 1):
        learning_rate = learning_rates[t - 1]
        dx = compute_gradient(x)
        first_moment = beta1 * first_moment + (1 - beta1) * dx
        second_moment = beta2 * second_moment + (1 - beta2) * dx * dx
        lr_t = learning_rate * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        x -= lr_t * first_moment / (np.sqrt(second_moment) + epsilon)
        record(x, dx, first_moment=first_moment, second_moment=second_moment, t=t)


def adam_eps_inside(x, compute_gradient, learning_rates, beta1, beta2, epsilon, record):  # epsilon-inside-sqrt
    first_moment = np.zeros_like(x)
    second_moment = np.zeros_like(x)
    for t in range(1, len(learning_rates) + 1):
        learning_rate = learning_rates[t - 1]
        dx = compute_gradient(x)
        first_moment = beta1 * first_moment + (1 - beta1) * dx
        second_moment = beta2 * second_moment + (1 - beta2) * dx * dx
        first_unbias = first_moment / (1 - beta1 ** t)
        second_unbias = second_moment / (1 - beta2 ** t)
        x -= learning_rate * first_unbias / np.sqrt(second_unbias + epsilon)
        record(x, dx, first_moment=first_moment, second_moment=second_moment, t=t)


# ---------------------------------------------------------------------------
# lecture.md section 9: float16 and bfloat16. NumPy's float16 arrays compute float16 (each
# ufunc computes in float32 and rounds once to float16, which is the correctly rounded result:
# 24 >= 2 * 11 + 2); bfloat16, which NumPy lacks, is the class below.
# Each format: significand bits, smallest normal exponent, largest finite value.
FORMATS = {
    'float16': (11, -14, 65504.0),
    'bfloat16': (8, -126, (2 - 2 ** -7) * 2.0 ** 127),
}


def round_exact(value, dtype):
    """`value` (a Python float) rounded to the dtype, ties to even, in exact integer arithmetic.

    Independent of NumPy: the float16 rounding fixture asserts that NumPy agrees with it, and
    bfloat16, which NumPy lacks, uses it for every hyperparameter (a Python float meets a
    bfloat16 array: rounded once from the double, as NEP 50 rounds it to float16 or float32).
    """
    if math.isnan(value) or math.isinf(value) or value == 0:
        return value
    precision, emin, largest = FORMATS[dtype]
    if abs(value) >= 2 * largest:
        return math.copysign(math.inf, value)
    fraction, e = math.frexp(abs(value))  # |value| = fraction * 2**e, fraction in [0.5, 1)
    mantissa = int(fraction * 2 ** 53)  # exact: |value| = mantissa * 2**(e - 53)
    quantum = max(e - 1, emin) - (precision - 1)  # the spacing of the dtype's values near |value|
    shift = quantum - (e - 53)
    if shift > 0:
        q, r = divmod(mantissa, 1 << shift)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):
            q += 1
        magnitude = math.ldexp(q, quantum)
    else:
        magnitude = abs(value)
    if magnitude > largest:
        magnitude = math.inf
    return math.copysign(magnitude, value)


def bf16(a):
    """A float32 array rounded to bfloat16 values (kept in float32), ties to even on the bits.

    A bfloat16 is the high half of a float32: adding 0x7FFF plus the lowest kept bit to the
    pattern and clearing the low 16 bits rounds to nearest, ties to even, for normals,
    subnormals (the two formats share their exponents, so a float32 subnormal's high half is
    the bfloat16 subnormal) and overflow (the carry reaches the infinity pattern). NaN is kept.
    """
    a = np.asarray(a, dtype=np.float32)
    bits = a.view(np.uint32)
    rounded = ((bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) & np.uint32(0xFFFF0000)).view(np.float32)
    return np.where(np.isnan(a), a, rounded)

class BFloat16Array:
    """A bfloat16 array with lecture.md section 9's arithmetic: NumPy has no bfloat16, so the values
    live in a float32 array, and every operator computes in float32 (NumPy) and rounds its result
    to bfloat16 (bf16 above). A Python float operand is first rounded to bfloat16 once, from the
    double (round_exact), as NEP 50 rounds a Python float meeting a float16 array to float16.

    The lecture's functions run on it unchanged, so each of their lines is rounded operation by
    operation in Python's order of evaluation. Momentum's two lines, for example, become
      vx = rho * vx + dx          ->  vx = bf16(bf16(f32(rho') * vx) + dx),  rho' = round_exact(rho)
      x -= learning_rate * vx     ->  x = bf16(x - bf16(f32(lr') * vx)),      lr' = round_exact(lr)
    and Adam's
      first_moment = beta1 * first_moment + (1 - beta1) * dx
                                  ->  bf16(bf16(b1' * m) + bf16((1 - beta1)' * dx))
      second_moment = beta2 * second_moment + (1 - beta2) * dx * dx
                                  ->  bf16(bf16(b2' * v) + bf16(bf16((1 - beta2)' * dx) * dx))
      first_unbias = first_moment / (1 - beta1 ** t)
                                  ->  bf16(m / (1 - beta1 ** t)'), the power a Python float
      x -= learning_rate * first_unbias / (np.sqrt(second_unbias) + epsilon)
                                  ->  bf16(x - bf16(bf16(lr' * m^) / bf16(bf16(sqrt(v^)) + eps')))
    where ' is round_exact and every operation inside bf16() is one float32 operation. For + - * /
    and sqrt of bfloat16 values, bf16(float32 result) is the correctly rounded bfloat16 result
    (float32's 24 bits >= 2 * 8 + 2: Figueroa 1995, Roux 2014; src/numerics/half-precision.ts).
    """

    def __init__(self, values):
        self.a = values  # float32, every element a bfloat16 value

    @staticmethod
    def of(values):
        """Python floats (any shape) rounded once each to bfloat16."""
        a = np.asarray(values, dtype=np.float64)
        flat = [round_exact(v, 'bfloat16') for v in a.ravel().tolist()]
        return BFloat16Array(np.array(flat, dtype=np.float32).reshape(a.shape))

    @staticmethod
    def _operand(other):
        if isinstance(other, BFloat16Array):
            return other.a
        if isinstance(other, (int, float)):
            return np.float32(round_exact(float(other), 'bfloat16'))  # exact: a bfloat16 is a float32
        raise TypeError(f'a bfloat16 array meets {type(other).__name__}')

    def __add__(self, other):
        return BFloat16Array(bf16(self.a + self._operand(other)))

    def __radd__(self, other):
        return BFloat16Array(bf16(self._operand(other) + self.a))

    def __sub__(self, other):
        return BFloat16Array(bf16(self.a - self._operand(other)))

    def __rsub__(self, other):
        return BFloat16Array(bf16(self._operand(other) - self.a))

    def __mul__(self, other):
        return BFloat16Array(bf16(self.a * self._operand(other)))

    def __rmul__(self, other):
        return BFloat16Array(bf16(self._operand(other) * self.a))

    def __truediv__(self, other):
        return BFloat16Array(bf16(self.a / self._operand(other)))

    def __rtruediv__(self, other):
        return BFloat16Array(bf16(self._operand(other) / self.a))

    def __iadd__(self, other):  # in place, as NumPy's x += ...: the recorded x is this object
        self.a[...] = bf16(self.a + self._operand(other))
        return self

    def __isub__(self, other):
        self.a[...] = bf16(self.a - self._operand(other))
        return self

    def __getitem__(self, index):  # a row of the noise table
        return BFloat16Array(self.a[index])

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):  # np.sqrt: float32 sqrt, then bf16
        if ufunc is np.sqrt and method == '__call__' and len(inputs) == 1 and not kwargs:
            return BFloat16Array(bf16(np.sqrt(self.a)))
        return NotImplemented

    def __array_function__(self, func, types, args, kwargs):  # the lecture's `= 0` and initial-accumulator
        if func is np.zeros_like:
            return BFloat16Array(np.zeros_like(self.a))
        if func is np.full_like:
            return BFloat16Array(np.full_like(self.a, round_exact(float(args[1]), 'bfloat16')))
        return NotImplemented

    def tolist(self):
        return self.a.astype(np.float64).tolist()


def array_of(values, dtype):
    """An array of the dtype from Python floats: NumPy's cast, or rounded once each to bfloat16."""
    return BFloat16Array.of(values) if dtype == 'bfloat16' else np.array(values, dtype=dtype)


def values_of(values, dtype):
    """Python floats (any nesting) rounded to the dtype: what a case stores as its inputs."""
    return array_of(values, dtype).tolist()


# ---------------------------------------------------------------------------
# lecture.md section 8: closed-loop landscapes, element-wise in the same operation
# order as landscapeGradient in src/landscape.ts.
def landscape_gradient(spec, dtype):
    name = spec['name']
    if name in ('taco-shell', 'saddle'):
        c = array_of(spec['curvature'], dtype)
        return lambda x, step: c * x
    if name == 'local-minimum':
        tilt = spec['tilt']  # a Python float: rounded to the dtype where it meets x (NEP 50)
        return lambda x, step: x * x * x - x + tilt
    if name == 'noisy':
        c = array_of(spec['curvature'], dtype)
        noise = array_of(spec['noise'], dtype)
        return lambda x, step: c * x + noise[step]
    raise ValueError(f'unknown landscape {name!r}')


# ---------------------------------------------------------------------------
# Running a case and recording every step.
RUNNERS = {
    ('sgd', ()): lambda x, g, lrs, c, rec: sgd(x, g, lrs, rec),
    ('momentum', ()): lambda x, g, lrs, c, rec: momentum(x, g, lrs, c['rho'], rec),
    ('momentum', ('dampened-momentum',)): lambda x, g, lrs, c, rec: momentum_dampened(x, g, lrs, c['rho'], rec),
    ('momentum', ('lr-placement',)): lambda x, g, lrs, c, rec: momentum_lr_inside(x, g, lrs, c['rho'], rec),
    ('nesterov', ()): lambda x, g, lrs, c, rec: nesterov(x, g, lrs, c['rho'], rec),
    ('nesterov', ('lr-placement',)): lambda x, g, lrs, c, rec: nesterov_lr_outside(x, g, lrs, c['rho'], rec),
    ('adagrad', ()): lambda x, g, lrs, c, rec: adagrad(x, g, lrs, c['epsilon'], rec),
    ('rmsprop', ()): lambda x, g, lrs, c, rec: rmsprop(x, g, lrs, c['decayRate'], c['epsilon'], rec),
    ('adam', ()): lambda x, g, lrs, c, rec: adam(x, g, lrs, c['beta1'], c['beta2'], c['epsilon'], rec),
    ('adam', ('no-bias-correction',)): lambda x, g, lrs, c, rec: adam_almost(x, g, lrs, c['beta1'], c['beta2'], c['epsilon'], rec),
    ('adam', ('epsilon-hat',)): lambda x, g, lrs, c, rec: adam_epsilon_hat(x, g, lrs, c['beta1'], c['beta2'], c['epsilon'], rec),
    ('adam', ('epsilon-inside-sqrt',)): lambda x, g, lrs, c, rec: adam_eps_inside(x, g, lrs, c['beta1'], c['beta2'], c['epsilon'], rec),
}


def runner_for(rule, conventions):
    if rule in ('adagrad', 'rmsprop') and set(conventions) <= {'epsilon-inside-sqrt', 'initial-accumulator'} and conventions:
        initial = conventions.get('initial-accumulator', 0.0)
        inside = conventions.get('epsilon-inside-sqrt', False)
        if rule == 'adagrad':
            return lambda x, g, lrs, c, rec: adagrad_variant(x, g, lrs, c['epsilon'], initial, inside, rec)
        return lambda x, g, lrs, c, rec: rmsprop_variant(x, g, lrs, c['decayRate'], c['epsilon'], initial, inside, rec)
    return RUNNERS[(rule, tuple(sorted(conventions)))]


def run_case(case):
    dtype = case['dtype']
    x = array_of(case['x0'], dtype)
    loop = case['loop']
    learning_rates = case.get('learningRates') or [case['config']['learningRate']] * steps_of(loop)
    if loop['kind'] == 'open':
        gradients = [array_of(g, dtype) for g in loop['gradients']]
        compute = lambda x, step: gradients[step]
    else:
        compute = landscape_gradient(loop['landscape'], dtype)
    counter = {'step': 0}

    def compute_gradient(x):
        dx = compute(x, counter['step'])
        counter['step'] += 1
        return dx

    xs, dxs, state = [], [], {}

    def record(x, dx, **entries):
        xs.append(x.tolist())
        dxs.append(dx.tolist())
        for key, value in entries.items():
            state.setdefault(key, []).append(value if isinstance(value, int) else value.tolist())

    runner_for(case['rule'], case['conventions'])(x, compute_gradient, learning_rates, case['config'], record)
    expected = {'x': xs, 'state': state}
    if loop['kind'] == 'closed':
        expected['dx'] = dxs
    case['expected'] = expected
    return case


def steps_of(loop):
    return len(loop['gradients']) if loop['kind'] == 'open' else loop['steps']


# ---------------------------------------------------------------------------
# The cases: hyperparameters, gradient regimes, schedules.
def typical_configs(rule):
    """The lecture's typical values (lecture.md sections 2 to 6); lr only given for Adam."""
    if rule == 'sgd':
        return [{'optimizer': 'sgd', 'learningRate': 1e-2}]
    if rule in ('momentum', 'nesterov'):
        return [{'optimizer': rule, 'learningRate': 1e-2, 'rho': 0.9}, {'optimizer': rule, 'learningRate': 1e-3, 'rho': 0.99}]
    if rule == 'adagrad':
        return [{'optimizer': 'adagrad', 'learningRate': 1e-2, 'epsilon': LECTURE_EPSILON}]
    if rule == 'rmsprop':
        return [{'optimizer': 'rmsprop', 'learningRate': 1e-3, 'decayRate': 0.9, 'epsilon': LECTURE_EPSILON},
                {'optimizer': 'rmsprop', 'learningRate': 1e-3, 'decayRate': 0.99, 'epsilon': LECTURE_EPSILON}]
    if rule == 'adam':
        return [{'optimizer': 'adam', 'learningRate': 1e-3, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': LECTURE_EPSILON},
                {'optimizer': 'adam', 'learningRate': 5e-4, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': LECTURE_EPSILON}]
    raise ValueError(rule)


def drawn_config(rule, rng):
    """A varied draw: learning rate log-uniform in [1e-4, 1], factors in [0, 0.999], eps in [1e-10, 1e-2]."""
    lr = float(10.0 ** rng.uniform(-4, 0))
    factor = lambda: float(rng.uniform(0, 0.999))
    eps = float(10.0 ** rng.uniform(-10, -2))
    if rule == 'sgd':
        return {'optimizer': 'sgd', 'learningRate': lr}
    if rule in ('momentum', 'nesterov'):
        return {'optimizer': rule, 'learningRate': lr, 'rho': factor()}
    if rule == 'adagrad':
        return {'optimizer': 'adagrad', 'learningRate': lr, 'epsilon': eps}
    if rule == 'rmsprop':
        return {'optimizer': 'rmsprop', 'learningRate': lr, 'decayRate': factor(), 'epsilon': eps}
    return {'optimizer': 'adam', 'learningRate': lr, 'beta1': factor(), 'beta2': factor(), 'epsilon': eps}


def gradients_for(regime, dtype, rng, n, steps):
    """A gradient sequence of one regime, as Python floats of the dtype's values."""
    # dx * dx overflows above ~256 (float16), ~1.8e19 (float32, bfloat16), ~1.3e154 (float64); the
    # second column, huge * 1e5, overflows float16 already as a gradient.
    huge = {'float16': 200.0, 'bfloat16': 1e15, 'float32': 1e15, 'float64': 1e150}[dtype]
    sub = {  # subnormals of the dtype, its smallest among them
        'float16': [1e-6, -6e-8, 6e-5],
        'bfloat16': [1e-40, -1e-39, 5e-39],
        'float32': [1e-40, -1e-45, 1e-39],
        'float64': [5e-324, -1e-310, 2.2e-308],
    }[dtype]
    if regime == 'ordinary':
        g = rng.standard_normal((steps, n))
    elif regime == 'tiny':  # near and below sqrt(1e-7) ~ 3.2e-4, where epsilon placement shows
        g = rng.standard_normal((steps, n)) * np.array([3e-4, 1e-5, 1e-7, 1e-9])[:n]
    elif regime == 'huge':
        g = rng.standard_normal((steps, n)) * np.array([huge, huge * 1e5, huge * 1e-3, 1.0])[:n]
    elif regime == 'mixed':
        g = rng.standard_normal((steps, n)) * np.array([1e-6, 1.0, 1e6, 1e-3])[:n]
    elif regime == 'zeros':  # exact zeros of both signs, whole steps and single coordinates
        g = rng.standard_normal((steps, n))
        g[::2, :] = 0.0
        g[1::4, :] = -0.0
        g[:, 0] = np.where(np.arange(steps) % 3 == 0, -0.0, 0.0)
    elif regime == 'sign-flips':
        g = np.outer(np.where(np.arange(steps) % 2 == 0, 1.0, -1.0), rng.uniform(0.5, 2.0, n))
    elif regime == 'constant':
        g = np.tile(rng.standard_normal(n), (steps, 1))
    elif regime == 'non-finite':
        g = rng.standard_normal((steps, n))
        g[3, 0] = np.nan
        g[5, 1] = np.inf
        g[7, 2] = -np.inf
        g[9, 3] = np.inf
        g[10, 3] = -np.inf
    elif regime == 'subnormal':
        g = np.tile(np.array((sub * n)[:n]), (steps, 1))
        g[steps // 2:, :] *= -1.0
    elif regime == 'near-overflow':  # alternating around the largest finite values: g - m and g * g overflow
        largest = {'float16': 6e4, 'bfloat16': 3e38, 'float32': 3e38, 'float64': 1.7e308}[dtype]
        signs = np.where(np.arange(steps) % 2 == 0, 1.0, -1.0)
        g = np.outer(signs, np.array([1.0, -0.9, 0.5, 1e-3])[:n] * largest)
    else:
        raise ValueError(regime)
    return values_of(g, dtype)


OPEN_REGIMES = ('ordinary', 'tiny', 'huge', 'mixed', 'zeros', 'sign-flips', 'constant', 'non-finite', 'subnormal')
SCHEDULES = (
    {'schedule': 'step', 'initial': 1e-2, 'every': 5, 'factor': 0.5},
    {'schedule': 'exponential', 'initial': 1e-2, 'k': 0.1},
    {'schedule': 'inverse-time', 'initial': 1e-2, 'k': 0.3},
)


def schedule_value(config, t):
    if config['schedule'] == 'step':
        return step_decay(config['initial'], config['factor'], config['every'], t)
    if config['schedule'] == 'exponential':
        return exponential_decay(config['initial'], config['k'], t)
    return inverse_time_decay(config['initial'], config['k'], t)


def x0_for(dtype, rng, n):
    x0 = rng.standard_normal(n)
    x0[0] = -0.0  # sign of zero must survive a zero update
    return values_of(x0, dtype)


def open_case(rule, dtype, regime, index, config, gradients, x0, conventions=None, learning_rates=None):
    case = {
        'id': f'{rule}/{dtype}/open/{regime}-{index}',
        'rule': rule, 'conventions': conventions or {}, 'dtype': dtype, 'regime': regime,
        'config': config, 'x0': x0, 'loop': {'kind': 'open', 'gradients': gradients},
    }
    if learning_rates is not None:
        case['learningRates'] = learning_rates
    return case


def closed_case(rule, dtype, regime, index, config, landscape, steps, x0, conventions=None):
    return {
        'id': f'{rule}/{dtype}/closed/{regime}-{index}',
        'rule': rule, 'conventions': conventions or {}, 'dtype': dtype, 'regime': regime,
        'config': config, 'x0': x0, 'loop': {'kind': 'closed', 'landscape': landscape, 'steps': steps},
    }


def landscapes(dtype, rng, steps):
    noise = values_of(rng.standard_normal((steps, 3)) * 0.1, dtype)
    return [
        ('taco-shell', {'name': 'taco-shell', 'curvature': [1.0, 0.01, 150.0]}),  # lr * 150 > 1: SGD jitters along the steep axis
        ('saddle', {'name': 'saddle', 'curvature': [1.0, -0.5, 0.1]}),
        ('local-minimum', {'name': 'local-minimum', 'tilt': 0.2}),
        ('noisy', {'name': 'noisy', 'curvature': [1.0, 0.1, 10.0], 'noise': noise}),
    ]


CONVENTION_CASES = {
    'momentum': [{'dampened-momentum': True}, {'lr-placement': True}],
    'nesterov': [{'lr-placement': True}],
    'adagrad': [{'epsilon-inside-sqrt': True}, {'initial-accumulator': 0.1}],
    'rmsprop': [{'epsilon-inside-sqrt': True}, {'initial-accumulator': 0.1}],
    'adam': [{'epsilon-hat': True}, {'epsilon-inside-sqrt': True}],
}


def convention_tag(conventions):
    return '+'.join(sorted(conventions))


def optimizer_cases(rule, dtype, seed):
    rng = np.random.default_rng(seed)
    cases = []
    typical = typical_configs(rule)
    variants = [({}, '')]
    if rule == 'adam':
        variants.append(({'no-bias-correction': True}, 'almost.'))  # "Adam (almost)", lecture.md section 6
    for conventions, prefix in variants:
        for regime in OPEN_REGIMES:
            for index, config in enumerate(typical[:1] if regime != 'ordinary' else typical):
                steps = 20 if regime != 'non-finite' else 12
                cases.append(open_case(rule, dtype, prefix + regime, index, config,
                                       gradients_for(regime, dtype, rng, 4, steps), x0_for(dtype, rng, 4), conventions))
        for index in range(3):  # varied hyperparameter draws
            config = drawn_config(rule, rng)
            regime = ('ordinary', 'tiny', 'mixed')[index]
            cases.append(open_case(rule, dtype, prefix + 'drawn-' + regime, index, config,
                                   gradients_for(regime, dtype, rng, 4, 20), x0_for(dtype, rng, 4), conventions))
        for index, schedule in enumerate(SCHEDULES):  # the learning rate changes between steps
            steps = 30
            lrs = [schedule_value(schedule, t) for t in range(steps)]
            config = dict(typical[0], learningRate=lrs[0])
            cases.append(open_case(rule, dtype, prefix + 'schedule-' + schedule['schedule'], index, config,
                                   gradients_for('ordinary', dtype, rng, 3, steps), x0_for(dtype, rng, 3), conventions, lrs))
        for name, landscape in landscapes(dtype, rng, 50):
            cases.append(closed_case(rule, dtype, prefix + name, 0, typical[0], landscape, 50,
                                     values_of([1.5, -0.7, 0.3], dtype), conventions))
        cases.append(closed_case(rule, dtype, prefix + 'long-taco-shell', 0, dict(typical[0], learningRate=1e-1 if rule != 'adam' else 1e-2),
                                 {'name': 'taco-shell', 'curvature': [1.0, 0.01]}, 1000,
                                 values_of([1.0, -1.0], dtype), conventions))
        if rule in ('momentum', 'nesterov'):  # where the learning rate's placement matters: a long decayed run
            lrs = [schedule_value({'schedule': 'inverse-time', 'initial': typical[0]['learningRate'], 'k': 0.01}, t) for t in range(1000)]
            cases.append(open_case(rule, dtype, prefix + 'long-schedule', 0, dict(typical[0], learningRate=lrs[0]),
                                   gradients_for('ordinary', dtype, rng, 1, 1000), x0_for(dtype, rng, 1), conventions, lrs))
    for index, conventions in enumerate(CONVENTION_CASES.get(rule, [])):  # not the lecture's rules
        tag = convention_tag(conventions)
        for regime in ('tiny', 'ordinary'):
            cases.append(open_case(rule, dtype, f'{tag}.{regime}', index, typical[0],
                                   gradients_for(regime, dtype, rng, 4, 20), x0_for(dtype, rng, 4), conventions))
        steps = 30
        lrs = [schedule_value(SCHEDULES[0], t) for t in range(steps)]
        cases.append(open_case(rule, dtype, f'{tag}.schedule-step', index, dict(typical[0], learningRate=lrs[0]),
                               gradients_for('ordinary', dtype, rng, 3, steps), x0_for(dtype, rng, 3), conventions, lrs))
    if rule in ('adagrad', 'rmsprop', 'adam'):  # eps = 0 with zero gradients: 0 / 0 = NaN, propagated
        config = dict(typical[0], epsilon=0.0)
        cases.append(open_case(rule, dtype, 'zero-epsilon', 0, config,
                               gradients_for('zeros', dtype, rng, 4, 10), x0_for(dtype, rng, 4)))
    cases.extend(edge_cases(rule, dtype, seed))
    return [run_case(case) for case in cases]


# Each hyperparameter at its boundary (lecture.md section 9, the edges of every hyperparameter): a factor
# at 0 (the rule then forms 0 * state, D9), beta2 one ULP of the dtype below 1, the learning rate 0.
ONE_ULP_BELOW_ONE = {'float16': 1 - 2.0 ** -11, 'bfloat16': 1 - 2.0 ** -8, 'float32': 1 - 2.0 ** -24, 'float64': 1 - 2.0 ** -53}
EDGES = {
    'sgd': [('lr-zero', {'learningRate': 0.0})],
    'momentum': [('rho-zero', {'rho': 0.0}), ('lr-zero', {'learningRate': 0.0})],
    'nesterov': [('rho-zero', {'rho': 0.0}), ('lr-zero', {'learningRate': 0.0})],
    'adagrad': [('lr-zero', {'learningRate': 0.0})],
    'rmsprop': [('decay-zero', {'decayRate': 0.0}), ('lr-zero', {'learningRate': 0.0})],
    'adam': [('beta1-zero', {'beta1': 0.0}), ('beta2-below-one', {'beta2': None}), ('lr-zero', {'learningRate': 0.0})],
}


def edge_cases(rule, dtype, seed):
    """Every hyperparameter edge of EDGES crossed with non-finite and near-overflow gradients. Their own
    random stream (seed + 1), so that adding them leaves every other case of the file as it was."""
    rng = np.random.default_rng(seed + 1)
    cases = []
    for name, edge in EDGES[rule]:
        changes = {key: ONE_ULP_BELOW_ONE[dtype] if value is None else value for key, value in edge.items()}
        config = dict(typical_configs(rule)[0], **changes)
        for regime in ('non-finite', 'near-overflow'):
            cases.append(open_case(rule, dtype, f'edge-{name}.{regime}', 0, config,
                                   gradients_for(regime, dtype, rng, 4, 12), x0_for(dtype, rng, 4)))
    return cases


def low_precision_cases(rule, dtype, seed):
    """float16 and bfloat16 (lecture.md section 9): a representative part of optimizer_cases, so the
    files stay small. Every gradient regime, drawn hyperparameters, the three schedules, two
    landscapes and one 1000-step closed loop for the lecture's rule; Adam (almost) on a few
    regimes and each convention on tiny gradients; hyperparameters where rounding twice would
    differ from rounding once; epsilon at its edges: 0, and 1e-8, which is 0 in float16 (below
    2**-25) but not in bfloat16, so that zero gradients give 0 / 0 (TensorFlow.js issue 425)."""
    rng = np.random.default_rng(seed)
    cases = []
    typical = typical_configs(rule)
    for regime in OPEN_REGIMES:
        steps = 20 if regime != 'non-finite' else 12
        cases.append(open_case(rule, dtype, regime, 0, typical[0],
                               gradients_for(regime, dtype, rng, 4, steps), x0_for(dtype, rng, 4)))
    for index in range(3):
        config = drawn_config(rule, rng)
        regime = ('ordinary', 'tiny', 'mixed')[index]
        cases.append(open_case(rule, dtype, 'drawn-' + regime, index, config,
                               gradients_for(regime, dtype, rng, 4, 20), x0_for(dtype, rng, 4)))
    for index, schedule in enumerate(SCHEDULES):
        lrs = [schedule_value(schedule, t) for t in range(30)]
        cases.append(open_case(rule, dtype, 'schedule-' + schedule['schedule'], index, dict(typical[0], learningRate=lrs[0]),
                               gradients_for('ordinary', dtype, rng, 3, 30), x0_for(dtype, rng, 3), None, lrs))
    for name, landscape in landscapes(dtype, rng, 50):
        if name in ('taco-shell', 'local-minimum'):  # the saddle's and the noisy landscape's c * x are the taco shell's
            cases.append(closed_case(rule, dtype, name, 0, typical[0], landscape, 50, values_of([1.5, -0.7, 0.3], dtype)))
    # The taco shell's shallow axis alone, where a 16-bit x stops moving once lr * dx is below half its ULP.
    cases.append(closed_case(rule, dtype, 'long-taco-shell', 0, dict(typical[0], learningRate=1e-1 if rule != 'adam' else 1e-2),
                             {'name': 'taco-shell', 'curvature': [0.01]}, 1000, values_of([-1.0], dtype)))
    if rule == 'adam':
        almost = {'no-bias-correction': True}
        for regime in ('ordinary', 'tiny', 'non-finite'):
            cases.append(open_case(rule, dtype, 'almost.' + regime, 0, typical[0],
                                   gradients_for(regime, dtype, rng, 4, 20 if regime != 'non-finite' else 12),
                                   x0_for(dtype, rng, 4), almost))
        name, landscape = landscapes(dtype, rng, 50)[0]
        cases.append(closed_case(rule, dtype, 'almost.' + name, 0, typical[0], landscape, 50,
                                 values_of([1.5, -0.7, 0.3], dtype), almost))
    for index, conventions in enumerate(CONVENTION_CASES.get(rule, [])):
        cases.append(open_case(rule, dtype, f'{convention_tag(conventions)}.tiny', index, typical[0],
                               gradients_for('tiny', dtype, rng, 4, 20), x0_for(dtype, rng, 4), conventions))
    # Hyperparameters just above a midpoint of the dtype, by 2**-40 relative: rounded once they
    # round up; rounded to float32 first (which drops the 2**-40) they would tie and round down.
    precision = FORMATS[dtype][0]
    trap = lambda power_of_two: power_of_two * (1 + 2.0 ** -precision + 2.0 ** -40)
    traps = {'learningRate': trap(2.0 ** -7), 'rho': trap(0.5), 'decayRate': trap(0.5), 'beta1': trap(0.5),
             'beta2': trap(0.5), 'epsilon': trap(2.0 ** -10)}
    config = {key: traps.get(key, value) for key, value in typical[0].items()}
    cases.append(open_case(rule, dtype, 'rounding-traps', 0, config, gradients_for('ordinary', dtype, rng, 4, 10),
                           x0_for(dtype, rng, 4)))
    if rule in ('adagrad', 'rmsprop', 'adam'):
        for index, epsilon in enumerate((0.0, 1e-8)):
            cases.append(open_case(rule, dtype, ('zero-epsilon', 'epsilon-1e-8')[index], 0, dict(typical[0], epsilon=epsilon),
                                   gradients_for('zeros', dtype, rng, 4, 10), x0_for(dtype, rng, 4)))
    return [run_case(case) for case in cases]


SCHEDULE_CONFIGS = {
    'step': [
        {'schedule': 'step', 'initial': 0.1, 'every': 10, 'factor': 0.5},
        {'schedule': 'step', 'initial': 1e-3, 'every': 30, 'factor': 0.1},
        {'schedule': 'step', 'initial': 0.01, 'every': 1, 'factor': 0.99},
        {'schedule': 'step', 'initial': 0.5, 'every': 7, 'factor': 0.3},
        {'schedule': 'step', 'initial': 0.2, 'every': 3, 'factor': 1.0},
    ],
    'exponential': [
        {'schedule': 'exponential', 'initial': 0.1, 'k': 0.01},
        {'schedule': 'exponential', 'initial': 1e-3, 'k': 0.1},
        {'schedule': 'exponential', 'initial': 0.05, 'k': 1e-4},
        {'schedule': 'exponential', 'initial': 1.0, 'k': 0.7},
        {'schedule': 'exponential', 'initial': 0.3, 'k': 0.0},
    ],
    'inverse-time': [
        {'schedule': 'inverse-time', 'initial': 0.1, 'k': 0.01},
        {'schedule': 'inverse-time', 'initial': 1e-3, 'k': 0.5},
        {'schedule': 'inverse-time', 'initial': 0.05, 'k': 1e-4},
        {'schedule': 'inverse-time', 'initial': 1.0, 'k': 3.0},
        {'schedule': 'inverse-time', 'initial': 0.3, 'k': 0.0},
    ],
}


def schedule_cases(name, seed):
    rng = np.random.default_rng(seed)
    configs = list(SCHEDULE_CONFIGS[name])
    for _ in range(3):  # varied draws
        initial = float(10.0 ** rng.uniform(-4, 0))
        if name == 'step':
            configs.append({'schedule': 'step', 'initial': initial, 'every': int(rng.integers(1, 50)), 'factor': float(rng.uniform(0.05, 1.0))})
        else:
            configs.append({'schedule': name, 'initial': initial, 'k': float(10.0 ** rng.uniform(-5, 0))})
    ts = list(range(1001))
    return [{'id': f'{name}/{i}', 'config': config, 't': ts, 'values': [schedule_value(config, t) for t in ts]}
            for i, config in enumerate(configs)]


# ---------------------------------------------------------------------------
# The rounding fixtures: how doubles round to float16 and bfloat16.
def pattern_values(dtype):
    """The value of every 16-bit pattern, as float64: NumPy's float16, or the float32 high half for bfloat16."""
    patterns = np.arange(65536, dtype=np.uint32)
    if dtype == 'float16':
        return patterns.astype(np.uint16).view(np.float16).astype(np.float64)
    return (patterns << np.uint32(16)).view(np.float32).astype(np.float64)


def rounded_by_numpy(values, dtype):
    """float16: NumPy's cast. bfloat16: the exact rounding (NumPy has no bfloat16)."""
    if dtype == 'float16':
        return np.asarray(values, dtype=np.float64).astype(np.float16).astype(np.float64)
    return np.array([round_exact(float(v), dtype) for v in values], dtype=np.float64)


def midpoint_probes(dtype):
    """For each finite pattern p: the midpoint between its value and the next value away from zero
    (2**16 past float16's largest, 2**128 past bfloat16's: there the next pattern is the infinity),
    and the doubles just below and just above it in magnitude. Returns (finite mask, the probes)."""
    values = pattern_values(dtype)
    finite = np.isfinite(values)
    outer = np.roll(values, -1)  # the value of pattern p + 1: larger magnitude, same sign
    beyond = 2.0 ** 16 if dtype == 'float16' else 2.0 ** 128
    outer[values == FORMATS[dtype][2]] = beyond
    outer[values == -FORMATS[dtype][2]] = -beyond
    mid = np.where(finite, (values + outer) / 2, 0.0)  # exact: both are doubles with few bits
    toward = np.where(np.signbit(values), -np.inf, np.inf)
    return finite, {
        'below': np.nextafter(mid, -toward),
        'at': mid,
        'above': np.nextafter(mid, toward),
    }


def pack_bits(bits):
    """Booleans as hex digits, 4 per digit, bit i of digit k holding entry 4k + i."""
    padded = np.concatenate([np.asarray(bits, dtype=np.uint8), np.zeros((-len(bits)) % 4, dtype=np.uint8)])
    digits = padded[0::4] | (padded[1::4] << 1) | (padded[2::4] << 2) | (padded[3::4] << 3)
    return ''.join('0123456789abcdef'[d] for d in digits)


def drawn_doubles(dtype, rng):
    """Seeded doubles across the dtype's range, and its ties, boundaries and traps chosen on purpose."""
    precision, emin, largest = FORMATS[dtype]
    tiny = 2.0 ** (emin - precision + 1)  # the smallest subnormal
    top = math.ldexp(1.0, math.frexp(largest)[1])  # 2**16, 2**128: past the largest finite value
    overflow = (largest + top) / 2  # the midpoint that rounds up to the infinity
    chosen = [
        0.0, -0.0, math.nan, math.inf, -math.inf, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
        -1.7976931348623157e308, largest, -largest, overflow, -overflow, np.nextafter(overflow, 0.0),
        np.nextafter(overflow, math.inf), top, tiny, -tiny, tiny / 2, -tiny / 2, np.nextafter(tiny / 2, 1.0),
        np.nextafter(tiny / 2, 0.0), 3 * tiny / 2, 2.0 ** emin, 2.0 ** emin - tiny / 2, 2.0 ** emin - tiny,
        1.0 + 2.0 ** -precision, 1.0 + 3 * 2.0 ** -precision, 1.0 - 2.0 ** -(precision + 1), 0.1, 1 / 3, -2 / 3,
        1e-7, 1e-8, 0.9, 0.99, 0.999, 1e-3, 5e-4, 0.1 * 2.0 ** emin,
        # Traps of rounding twice (to float32, then to the dtype): a tie after the first rounding, not before.
        1.0 + 2.0 ** -precision + 2.0 ** -40, 1.0 + 2.0 ** -precision - 2.0 ** -40, -(1.0 + 2.0 ** -precision + 2.0 ** -40),
        2.0 ** emin * (1.0 + 2.0 ** -precision + 2.0 ** -45),
    ]
    magnitudes = 2.0 ** rng.uniform(emin - precision - 3, math.log2(largest) + 1, 600)
    signs = np.where(rng.random(600) < 0.5, -1.0, 1.0)
    drawn = list(magnitudes * signs)
    # Near ties: the midpoints of drawn adjacent pairs, moved by 0 to 3 ULPs of the double either way.
    values = pattern_values(dtype)
    finite = np.flatnonzero(np.isfinite(values) & (np.abs(values) < largest))
    for p in rng.choice(finite, 200):
        mid = (values[p] + values[p + 1]) / 2
        offset = int(rng.integers(-3, 4))
        for _ in range(abs(offset)):
            mid = np.nextafter(mid, math.copysign(math.inf, offset))
        drawn.append(float(mid))
    subnormal = rng.uniform(0, 2.0 ** emin, 200) * np.where(rng.random(200) < 0.5, -1.0, 1.0)
    return [float(v) for v in chosen] + [float(v) for v in drawn] + [float(v) for v in subnormal]


def rounding_file(dtype, seed):
    """The rounding fixture of one dtype: NumPy's answer at every midpoint, and on drawn doubles."""
    rng = np.random.default_rng(seed)
    finite, probes = midpoint_probes(dtype)
    values = pattern_values(dtype)
    outer_pattern = np.roll(values, -1)
    answers = {}
    for name, probe in probes.items():
        got = rounded_by_numpy(probe, dtype)
        exact = np.array([round_exact(float(v), dtype) for v in probe], dtype=np.float64)
        away = np.where(finite, got != values, False)
        # Every answer is one of the two neighbours, and the exact rounding agrees with it.
        neighbours = (got == values) | (got == outer_pattern) | ~finite
        assert neighbours.all(), f'{dtype} {name}: an answer is neither neighbour'
        assert ((got == exact) | ~finite).all(), f'{dtype} {name}: NumPy differs from the exact rounding'
        if dtype == 'bfloat16' and name == 'at':  # the trajectories' rounding, on every tie of a float32
            assert ((bf16(probe).astype(np.float64) == exact) | ~finite).all(), 'bf16() differs at a tie'
        answers[name] = pack_bits(away)
    if dtype == 'bfloat16':  # the trajectories' rounding on drawn float32 patterns, against the exact one
        sample = rng.integers(0, 2 ** 32, 100000, dtype=np.uint64).astype(np.uint32).view(np.float32)
        sample = sample[~np.isnan(sample)]
        exact = np.array([round_exact(float(v), dtype) for v in sample], dtype=np.float64)
        assert (bf16(sample).astype(np.float64) == exact).all(), 'bf16() differs from the exact rounding'
    inputs = drawn_doubles(dtype, rng)
    outputs = rounded_by_numpy(inputs, dtype)
    exact = [round_exact(v, dtype) for v in inputs]
    assert all(a == b or (math.isnan(a) and math.isnan(b)) for a, b in zip(outputs.tolist(), exact)), dtype
    return {
        'dtype': dtype,
        # NaN patterns hashed as the quiet NaN 0x7ff8000000000000: their payloads are not values.
        'valuesSha256': hashlib.sha256(np.where(np.isnan(values), np.nan, values).astype('<f8').tobytes()).hexdigest(),
        'midpoints': answers,
        'drawn': {'inputs': inputs, 'outputs': outputs.tolist()},
    }


# ---------------------------------------------------------------------------
# Writing: deterministic JSON.
def encode(value):
    if isinstance(value, float):
        if math.isnan(value):
            return 'NaN'
        if math.isinf(value):
            return 'Infinity' if value > 0 else '-Infinity'
        return value
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def dumps(value):
    return json.dumps(encode(value), sort_keys=True, allow_nan=False, separators=(',', ':'))


def write_file(path, header, cases):
    """Sorted keys everywhere; one case per line so a diff points at the case."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    lines = ['{']
    for key in sorted(header):
        lines.append(f'{json.dumps(key)}:{dumps(header[key])},')
    lines.append('"cases":[')
    lines.append(',\n'.join(dumps(case) for case in cases))
    lines.append(']}')
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')


def write_document(path, document):
    """A document with sorted keys, one top-level key per line."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    lines = [f'{json.dumps(key)}:{dumps(document[key])}' for key in sorted(document)]
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write('{\n' + ',\n'.join(lines) + '\n}\n')


def provenance():
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'generate_fixtures.py')
    with open(source, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    return {
        'formatVersion': FORMAT_VERSION,
        'generator': GENERATOR_PATH,
        'generatorSha256': digest,
        'numpy': np.__version__,
        'python': '.'.join(map(str, sys.version_info[:3])),
    }


def main(argv):
    if len(argv) != 2:
        print('usage: generate_fixtures.py <output-folder>', file=sys.stderr)
        return 2
    out = argv[1]
    prov = provenance()
    count = 0
    with np.errstate(all='ignore'):
        for r_index, rule in enumerate(('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam')):
            for d_index, dtype in enumerate(DTYPES):
                make = low_precision_cases if dtype in FORMATS else optimizer_cases
                cases = make(rule, dtype, seed=1000 + 10 * r_index + d_index)
                count += len(cases)
                write_file(os.path.join(out, 'optimizers', f'{rule}.{dtype}.json'),
                           {'provenance': prov, 'rule': rule, 'dtype': dtype}, cases)
        for s_index, name in enumerate(('step', 'exponential', 'inverse-time')):
            cases = schedule_cases(name, seed=2000 + s_index)
            count += len(cases)
            write_file(os.path.join(out, 'schedules', f'{name}.json'), {'provenance': prov, 'schedule': name}, cases)
        for f_index, dtype in enumerate(FORMATS):
            document = rounding_file(dtype, seed=3000 + f_index)
            document['provenance'] = prov
            write_document(os.path.join(out, 'rounding', f'{dtype}.json'), document)
    print(f'wrote {count} fixture cases and {len(FORMATS)} rounding tables to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
