"""NumPy running the lecture's code (lecture.md sections 1 to 6), timed per step.

Used by `npm run bench` (scripts/bench.ts) for the "vs NumPy" column; never by a test.
Reads a JSON object on stdin: {"size": n, "steps": k, "warmup": w, "trials": r, "dtypes":
[dtype, ...], "configs": {rule: config}}, the configs in the reference's camelCase. Prints {rule: {dtype: [median ms
per step of each trial]}}, each trial on fresh arrays after `w` warm-up steps.

The lecture's code allocates a temporary array per operation. Whether those allocations
fault in fresh pages (glibc may hand large blocks back to the system after every step)
changes a step's time by up to 5x; the caller runs this script with and without malloc
settings that prevent it, and shows both.

Each step is the lecture's code as written, with the state started as zero arrays (the
lecture's `vx = 0` becomes an array at the first step; starting there times the steady
state). Hyperparameters are Python floats, so NumPy applies them in the array's dtype
(NEP 50), as the reference does.
"""

import json
import statistics
import sys
import time

import numpy as np


def steppers(rule, c, x, dx):
    """The lecture's update for `rule` as a closure over its state; returns step(t)."""
    learning_rate = c["learningRate"]
    z = lambda: np.zeros_like(x)  # noqa: E731
    if rule == "sgd":
        def step(t):
            x[...] -= learning_rate * dx
    elif rule == "momentum":
        rho, s = c["rho"], {"vx": z()}
        def step(t):
            s["vx"] = rho * s["vx"] + dx
            x[...] -= learning_rate * s["vx"]
    elif rule == "nesterov":
        rho, s = c["rho"], {"v": z()}
        def step(t):
            old_v = s["v"]
            s["v"] = rho * s["v"] - learning_rate * dx
            x[...] += -rho * old_v + (1 + rho) * s["v"]
    elif rule == "adagrad":
        eps, s = c["epsilon"], {"grad_squared": z()}
        def step(t):
            s["grad_squared"] += dx * dx
            x[...] -= learning_rate * dx / (np.sqrt(s["grad_squared"]) + eps)
    elif rule == "rmsprop":
        decay_rate, eps, s = c["decayRate"], c["epsilon"], {"grad_squared": z()}
        def step(t):
            s["grad_squared"] = decay_rate * s["grad_squared"] + (1 - decay_rate) * dx * dx
            x[...] -= learning_rate * dx / (np.sqrt(s["grad_squared"]) + eps)
    elif rule == "adam":
        beta1, beta2, eps = c["beta1"], c["beta2"], c["epsilon"]
        s = {"m": z(), "v": z()}
        def step(t):
            s["m"] = beta1 * s["m"] + (1 - beta1) * dx
            s["v"] = beta2 * s["v"] + (1 - beta2) * dx * dx
            first_unbias = s["m"] / (1 - beta1 ** t)
            second_unbias = s["v"] / (1 - beta2 ** t)
            x[...] -= learning_rate * first_unbias / (np.sqrt(second_unbias) + eps)
    else:
        raise ValueError(f"rule must be one of sgd, momentum, nesterov, adagrad, rmsprop, adam, got {rule!r}")
    return step


def main():
    spec = json.load(sys.stdin)
    n, steps, warmup = spec["size"], spec["steps"], spec["warmup"]
    i = np.arange(n, dtype=np.float64)
    out = {}
    for rule, config in spec["configs"].items():
        out[rule] = {}
        for dtype in spec["dtypes"]:
            dx = (np.cos(i * 0.7) * 1e-2).astype(dtype)
            out[rule][dtype] = []
            for _ in range(spec["trials"]):
                x = np.sin(i).astype(dtype)
                step = steppers(rule, config, x, dx)
                for t in range(1, warmup + 1):
                    step(t)
                times = []
                for t in range(warmup + 1, warmup + steps + 1):
                    t0 = time.perf_counter()
                    step(t)
                    times.append((time.perf_counter() - t0) * 1000)
                out[rule][dtype].append(statistics.median(times))
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
