#!/usr/bin/env python3
"""Golden fixtures over several tensors, computed with NumPy from lecture.md's pseudo-code.

Usage: python3 scripts/generate_tensor_fixtures.py <output-folder>

lecture.md section 9 applies every rule to each tensor of an optimizer with that
tensor's own state: the update rules below are sections 1 to 6, line for line, written
as one update of one tensor (`x`, `dx`, the tensor's `state` dict), with the same
differences as scripts/generate_fixtures.py (state starts as np.zeros_like(x); descent;
Adam counts t from 1) and these, each marked where it occurs:
  - Adam's `t` is the tensor's own count of updates (section 9), kept in its state;
  - a tensor given no gradient in a step is not updated at all (section 9, missing
    gradient); a zero gradient is an ordinary update;
  - a parameter group is an optimizer of its own over its tensors, with its own
    hyperparameters and learning rate; a group with a schedule uses schedule(t) for its
    step t, counted from 0 (sections 7 and 9);
  - at a save point the whole state (each tensor's, each group's learning rate and step
    count) is written as JSON text and read back into fresh arrays, and the parameters
    are copied into fresh arrays, before the run goes on (section 9, save and restore).
Scalar expressions use Python floats (never np.float64 scalars, strong under NEP 50).
float16 is NumPy's own arrays; bfloat16, which NumPy lacks, is scripts/generate_fixtures.py's
BFloat16Array (every operation in float32, rounded to bfloat16), imported from there with
its array constructors, so both generators compute the two dtypes alike.

Output: fixtures/tensors/<rule>.<dtype>.json, one case per line, floats written with
repr, non-finite values as "NaN", "Infinity", "-Infinity" inside arrays, a missing
gradient as null. fixtures/tensors.schema.json documents the format. This generator is
separate from scripts/generate_fixtures.py so that each file's provenance names the
script that made it; its sha256 covers both scripts, this one importing the other.
"""

import hashlib
import json
import math
import os
import sys

import numpy as np

from generate_fixtures import array_of, values_of

FORMAT_VERSION = 1
GENERATOR_PATH = 'scripts/generate_tensor_fixtures.py'
IMPORTED_PATH = 'generate_fixtures.py'
RULES = ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam')
DTYPES = ('float32', 'float64', 'float16', 'bfloat16')
LECTURE_EPSILON = 1e-7


# ---------------------------------------------------------------------------
# lecture.md sections 1 to 6, one update of one tensor.
def sgd_update(x, dx, state, learning_rate, config):
    x -= learning_rate * dx  # Decision: descent


def momentum_update(x, dx, state, learning_rate, config):
    rho = config['rho']
    state['vx'] = rho * state['vx'] + dx
    x -= learning_rate * state['vx']  # Decision: descent


def nesterov_update(x, dx, state, learning_rate, config):
    rho = config['rho']
    old_v = state['v']
    state['v'] = rho * state['v'] - learning_rate * dx
    x += -rho * old_v + (1 + rho) * state['v']


def adagrad_update(x, dx, state, learning_rate, config):
    epsilon = config['epsilon']
    state['grad_squared'] += dx * dx
    x -= learning_rate * dx / (np.sqrt(state['grad_squared']) + epsilon)


def rmsprop_update(x, dx, state, learning_rate, config):
    decay_rate, epsilon = config['decayRate'], config['epsilon']
    state['grad_squared'] = decay_rate * state['grad_squared'] + (1 - decay_rate) * dx * dx
    x -= learning_rate * dx / (np.sqrt(state['grad_squared']) + epsilon)


def adam_update(x, dx, state, learning_rate, config):
    beta1, beta2, epsilon = config['beta1'], config['beta2'], config['epsilon']
    state['t'] += 1  # section 9: t counts the updates this tensor has received
    t = state['t']
    state['first_moment'] = beta1 * state['first_moment'] + (1 - beta1) * dx
    state['second_moment'] = beta2 * state['second_moment'] + (1 - beta2) * dx * dx
    first_unbias = state['first_moment'] / (1 - beta1 ** t)
    second_unbias = state['second_moment'] / (1 - beta2 ** t)
    x -= learning_rate * first_unbias / (np.sqrt(second_unbias) + epsilon)


UPDATES = {
    'sgd': sgd_update, 'momentum': momentum_update, 'nesterov': nesterov_update,
    'adagrad': adagrad_update, 'rmsprop': rmsprop_update, 'adam': adam_update,
}


def initial_state(rule, x):
    """The lecture's `vx = 0` (and friends) for one tensor, with x's dtype; Adam's t = 0."""
    if rule == 'sgd':
        return {}
    if rule == 'momentum':
        return {'vx': np.zeros_like(x)}
    if rule == 'nesterov':
        return {'v': np.zeros_like(x)}
    if rule in ('adagrad', 'rmsprop'):
        return {'grad_squared': np.zeros_like(x)}
    return {'first_moment': np.zeros_like(x), 'second_moment': np.zeros_like(x), 't': 0}


# lecture.md section 7, t counted from 0 (only the 1/t decay here: `/` is correctly rounded
# in NumPy and JavaScript alike, so the fixtures stay bit for bit; ** and exp are not).
def inverse_time_decay(alpha0, k, t):
    return alpha0 / (1 + k * t)


def schedule_value(schedule, t):
    if schedule['schedule'] != 'inverse-time':
        raise ValueError(schedule)
    return inverse_time_decay(schedule['initial'], schedule['k'], t)


# ---------------------------------------------------------------------------
# Save and restore: the state as JSON text and back into fresh arrays.
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


def decode(value):
    if isinstance(value, str) and value in ('NaN', 'Infinity', '-Infinity'):
        return float(value.lower().replace('infinity', 'inf'))
    if isinstance(value, dict):
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def save(states, groups):
    """The whole optimizer state as JSON text."""
    tensors = [{k: (v if isinstance(v, int) else v.tolist()) for k, v in s.items()} for s in states]
    return json.dumps(encode({'tensors': tensors, 'groups': groups}), allow_nan=False)


def restore(text, dtype):
    """Fresh state arrays (and group bookkeeping) from `save`'s text."""
    saved = decode(json.loads(text))
    states = [{k: (v if isinstance(v, int) else array_of(v, dtype)) for k, v in s.items()} for s in saved['tensors']]
    return states, saved['groups']


# ---------------------------------------------------------------------------
# Running a case: groups of tensors, one gradient per tensor or None per step.
def run_case(case):
    rule, dtype = case['rule'], case['dtype']
    update = UPDATES[rule]
    group_of = [g for g, group in enumerate(case['groups']) for _ in group['sizes']]
    xs = [array_of(x0, dtype) for x0 in case['x0']]
    states = [initial_state(rule, x) for x in xs]
    groups = [{'learningRate': group['config']['learningRate'], 'steps': 0} for group in case['groups']]
    expected = {'x': [], 'state': [], 'learningRates': []}
    for step in case['steps']:
        if step.get('restore'):  # a save point: state through JSON, parameters into fresh arrays
            states, groups = restore(save(states, groups), dtype)
            xs = [array_of(x.tolist(), dtype) for x in xs]
        rates = []
        for g, group in enumerate(case['groups']):
            if 'schedule' in group:
                rates.append(schedule_value(group['schedule'], groups[g]['steps']))
            elif step.get('learningRates') and step['learningRates'][g] is not None:
                rates.append(step['learningRates'][g])
            else:
                rates.append(groups[g]['learningRate'])
        for i, grad in enumerate(step['grads']):
            if grad is None:  # section 9: a missing gradient leaves the tensor alone
                continue
            config = case['groups'][group_of[i]]['config']
            update(xs[i], array_of(grad, dtype), states[i], rates[group_of[i]], config)
        for g in range(len(groups)):
            groups[g] = {'learningRate': rates[g], 'steps': groups[g]['steps'] + 1}
        expected['x'].append([x.tolist() for x in xs])
        expected['state'].append([{k: (v if isinstance(v, int) else v.tolist()) for k, v in s.items()} for s in states])
        expected['learningRates'].append(list(rates))
    case['expected'] = expected
    return case


# ---------------------------------------------------------------------------
# The cases.
def typical_config(rule):
    if rule == 'sgd':
        return {'optimizer': 'sgd', 'learningRate': 1e-2}
    if rule in ('momentum', 'nesterov'):
        return {'optimizer': rule, 'learningRate': 1e-2, 'rho': 0.9}
    if rule == 'adagrad':
        return {'optimizer': 'adagrad', 'learningRate': 1e-2, 'epsilon': LECTURE_EPSILON}
    if rule == 'rmsprop':
        return {'optimizer': 'rmsprop', 'learningRate': 1e-3, 'decayRate': 0.9, 'epsilon': LECTURE_EPSILON}
    return {'optimizer': 'adam', 'learningRate': 1e-3, 'beta1': 0.9, 'beta2': 0.999, 'epsilon': LECTURE_EPSILON}


def other_config(rule, rng):
    """A second group's hyperparameters: a varied draw (learning rate log-uniform in [1e-3, 1e-1])."""
    lr = float(10.0 ** rng.uniform(-3, -1))
    factor = float(rng.uniform(0.3, 0.99))
    config = dict(typical_config(rule), learningRate=lr)
    for key in ('rho', 'decayRate', 'beta1'):
        if key in config:
            config[key] = factor
    return config


def gradient(dtype, rng, n, scale=1.0):
    return values_of((rng.standard_normal(n) * scale).tolist(), dtype)


def x0s(dtype, rng, sizes):
    out = []
    for n in sizes:
        x0 = rng.standard_normal(n)
        if n > 0:
            x0[0] = -0.0  # the sign of zero must survive a missing gradient and a restore
        out.append(values_of(x0.tolist(), dtype))
    return out


def tensor_cases(rule, dtype, seed):
    rng = np.random.default_rng(seed)
    typical = typical_config(rule)
    cases = []

    def case(regime, groups, steps):
        sizes = [n for group in groups for n in group['sizes']]
        return {'id': f'{rule}/{dtype}/tensors/{regime}', 'rule': rule, 'dtype': dtype, 'regime': regime,
                'groups': groups, 'x0': x0s(dtype, rng, sizes), 'steps': steps}

    # Several tensors of lengths 0, 1 and 3, every gradient present.
    sizes = [0, 1, 3]
    cases.append(case('several', [{'config': typical, 'sizes': sizes}],
                      [{'grads': [gradient(dtype, rng, n) for n in sizes]} for _ in range(8)]))

    # Missing gradients: tensor 1's first gradient arrives at step 4, tensor 2 misses steps 3 and 6,
    # tensor 0 gets an all-zero gradient (both signs) at step 5: an ordinary update.
    sizes = [2, 3, 1]
    steps = []
    for s in range(1, 11):
        grads = [gradient(dtype, rng, n) for n in sizes]
        if s < 4:
            grads[1] = None
        if s in (3, 6):
            grads[2] = None
        if s == 5:
            grads[0] = [0.0, -0.0]
        steps.append({'grads': grads})
    cases.append(case('missing', [{'config': typical, 'sizes': sizes}], steps))

    # Two groups with their own hyperparameters; group 1's learning rate set at steps 4 and 7.
    groups = [{'config': typical, 'sizes': [2, 1]}, {'config': other_config(rule, rng), 'sizes': [3]}]
    steps = []
    for s in range(1, 9):
        step = {'grads': [gradient(dtype, rng, n) for n in (2, 1, 3)]}
        if s == 4:
            step['learningRates'] = [None, groups[1]['config']['learningRate'] / 4]
        if s == 7:
            step['learningRates'] = [None, 0.0]
        steps.append(step)
    cases.append(case('groups', groups, steps))

    # A group driven by its own schedule beside one that is not.
    schedule = {'schedule': 'inverse-time', 'initial': typical['learningRate'] * 10, 'k': 0.3}
    groups = [{'config': typical, 'schedule': schedule, 'sizes': [3, 1]}, {'config': typical, 'sizes': [2]}]
    cases.append(case('scheduled', groups, [{'grads': [gradient(dtype, rng, n) for n in (3, 1, 2)]} for _ in range(8)]))

    # Save and restore after k = 0, 1 and 5 steps, with a missing gradient, a scheduled group, a tiny
    # and an infinite gradient value (the state then holds non-finite values that must survive the JSON).
    groups = [{'config': typical, 'sizes': [0, 1, 2]}, {'config': typical, 'schedule': schedule, 'sizes': [2]}]
    subnormal = {'float16': 6e-8, 'bfloat16': 1e-40, 'float32': 1e-40, 'float64': 5e-324}[dtype]
    tiny = values_of([subnormal], dtype)[0]  # a subnormal of the dtype
    steps = []
    for s in range(10):
        grads = [gradient(dtype, rng, n) for n in (0, 1, 2, 2)]
        if s == 2:
            grads[2][1] = tiny
        if s == 3:
            grads[1] = None
        if s == 7:
            grads[3][0] = math.inf
        step = {'grads': grads}
        if s in (0, 1, 5):
            step['restore'] = True
        steps.append(step)
    cases.append(case('restore', groups, steps))
    return [run_case(c) for c in cases]


# ---------------------------------------------------------------------------
# Writing: deterministic JSON, as scripts/generate_fixtures.py writes it.
def dumps(value):
    return json.dumps(encode(value), sort_keys=True, allow_nan=False, separators=(',', ':'))


def write_file(path, header, cases):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    lines = ['{']
    for key in sorted(header):
        lines.append(f'{json.dumps(key)}:{dumps(header[key])},')
    lines.append('"cases":[')
    lines.append(',\n'.join(dumps(case) for case in cases))
    lines.append(']}')
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')


def provenance():
    digest = hashlib.sha256()
    for path in (os.path.abspath(__file__), os.path.join(os.path.dirname(os.path.abspath(__file__)), IMPORTED_PATH)):
        with open(path, 'rb') as f:
            digest.update(f.read())
    digest = digest.hexdigest()
    return {
        'formatVersion': FORMAT_VERSION,
        'generator': GENERATOR_PATH,
        'generatorSha256': digest,
        'numpy': np.__version__,
        'python': '.'.join(map(str, sys.version_info[:3])),
    }


def main(argv):
    if len(argv) != 2:
        print('usage: generate_tensor_fixtures.py <output-folder>', file=sys.stderr)
        return 2
    out = argv[1]
    prov = provenance()
    count = 0
    with np.errstate(all='ignore'):
        for r_index, rule in enumerate(RULES):
            for d_index, dtype in enumerate(DTYPES):
                cases = tensor_cases(rule, dtype, seed=3000 + 10 * r_index + d_index)
                count += len(cases)
                write_file(os.path.join(out, 'tensors', f'{rule}.{dtype}.json'),
                           {'provenance': prov, 'rule': rule, 'dtype': dtype}, cases)
    print(f'wrote {count} tensor fixture cases to {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
