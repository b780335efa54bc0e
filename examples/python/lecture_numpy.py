"""The lecture's update rules in NumPy (float64), line for line from CS231n
Lecture 7 (optimspec's docs/spec.md). Needs NumPy; the stdlib-only twin is
lecture_pure.py. Check it with:

    optimspec check --exec "python3 examples/python/lecture_numpy.py"

Every rule is the lecture's loop body; `state` plays the part of the loop's
variables (vx, v, grad_squared, first_moment, second_moment, t).
"""

import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from optimspec_protocol import serve  # noqa: E402


class Stepper:
    def __init__(self, config, x0):
        self.config = dict(config)
        self.learning_rate = config["learningRate"]
        self.x = np.array(x0, dtype=np.float64)
        self.rule = RULES[config["optimizer"]]
        self.state = {}
        missing = [key for key in HYPERPARAMETERS[config["optimizer"]] if key not in config]
        if missing:  # fail create, not the first step
            raise KeyError(missing[0])

    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            self.learning_rate = learning_rate
        dx = np.array(grad, dtype=np.float64)
        self.rule(self, self.x, dx, self.learning_rate, self.config, self.state)
        return self.x.copy()


def sgd(self, x, dx, learning_rate, c, s):
    # docs/spec.md section 1
    x -= learning_rate * dx


def momentum(self, x, dx, learning_rate, c, s):
    # docs/spec.md section 2
    rho = c["rho"]
    vx = s.get("vx", 0)
    vx = rho * vx + dx
    x -= learning_rate * vx
    s["vx"] = vx


def nesterov(self, x, dx, learning_rate, c, s):
    # docs/spec.md section 3
    rho = c["rho"]
    v = s.get("v", 0)
    old_v = v
    v = rho * v - learning_rate * dx
    x += -rho * old_v + (1 + rho) * v
    s["v"] = v


def adagrad(self, x, dx, learning_rate, c, s):
    # docs/spec.md section 4
    grad_squared = s.get("grad_squared", np.zeros_like(x))
    grad_squared += dx * dx
    x -= learning_rate * dx / (np.sqrt(grad_squared) + c["epsilon"])
    s["grad_squared"] = grad_squared


def rmsprop(self, x, dx, learning_rate, c, s):
    # docs/spec.md section 5
    decay_rate = c["decayRate"]
    grad_squared = s.get("grad_squared", 0)
    grad_squared = decay_rate * grad_squared + (1 - decay_rate) * dx * dx
    x -= learning_rate * dx / (np.sqrt(grad_squared) + c["epsilon"])
    s["grad_squared"] = grad_squared


def adam(self, x, dx, learning_rate, c, s):
    # docs/spec.md section 6, full form; t counts updates from 1
    beta1, beta2 = c["beta1"], c["beta2"]
    first_moment = s.get("first_moment", 0)
    second_moment = s.get("second_moment", 0)
    t = s.get("t", 0) + 1
    first_moment = beta1 * first_moment + (1 - beta1) * dx
    second_moment = beta2 * second_moment + (1 - beta2) * dx * dx
    first_unbias = first_moment / (1 - beta1 ** t)
    second_unbias = second_moment / (1 - beta2 ** t)
    x -= learning_rate * first_unbias / (np.sqrt(second_unbias) + c["epsilon"])
    s.update(first_moment=first_moment, second_moment=second_moment, t=t)


HYPERPARAMETERS = {
    "sgd": [],
    "momentum": ["rho"],
    "nesterov": ["rho"],
    "adagrad": ["epsilon"],
    "rmsprop": ["decayRate", "epsilon"],
    "adam": ["beta1", "beta2", "epsilon"],
}

RULES = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad, "rmsprop": rmsprop, "adam": adam}


class LectureNumpy:
    name = "lecture rules in NumPy"
    dtype = "float64"
    optimizers = list(RULES)
    schedules = ["step", "exponential", "inverse-time"]

    def create(self, config, x0):
        if config.get("optimizer") not in RULES:
            raise ValueError("unknown optimizer %r" % (config.get("optimizer"),))
        return Stepper(config, x0)

    def schedule(self, config):
        # docs/spec.md section 7, t counted from 0
        kind = config.get("schedule")
        alpha0 = config["initial"]
        if kind == "step":
            every, factor = config["every"], config["factor"]
            return lambda t: alpha0 * factor ** math.floor(t / every)
        if kind == "exponential":
            k = config["k"]
            return lambda t: alpha0 * np.exp(-k * t)
        if kind == "inverse-time":
            k = config["k"]
            return lambda t: alpha0 / (1 + k * t)
        raise ValueError("unknown schedule %r" % (kind,))


if __name__ == "__main__":
    serve(LectureNumpy())
