"""The lecture's update rules in plain Python floats (float64), stdlib only.

Each rule is written line for line as in CS231n Lecture 7 (optimspec's
docs/spec.md), element-wise over Python lists, so it needs nothing but python3.
It also steps several tensors in groups, with missing gradients, its own schedules and
save/restore (docs/spec.md section 9). Check it with:

    optimspec check --exec "python3 examples/python/lecture_pure.py"
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from optimspec_protocol import serve  # noqa: E402


def divide(a, b):
    """a / b as NumPy (IEEE-754) computes it: Python floats raise ZeroDivisionError
    where IEEE gives +-inf or nan (e.g. AdaGrad with epsilon = 0 and a zero gradient)."""
    try:
        return a / b
    except ZeroDivisionError:
        if a != a or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


class Sgd:
    """docs/spec.md section 1: x -= learning_rate * dx."""

    def __init__(self, config, x0):
        self.learning_rate = config["learningRate"]
        self.x = list(x0)

    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            self.learning_rate = learning_rate
        self.x = [x - self.learning_rate * dx for x, dx in zip(self.x, grad)]
        return self.x


class Momentum:
    """docs/spec.md section 2: vx = rho * vx + dx; x -= learning_rate * vx."""

    def __init__(self, config, x0):
        self.learning_rate = config["learningRate"]
        self.rho = config["rho"]
        self.x = list(x0)
        self.vx = [0.0] * len(x0)

    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            self.learning_rate = learning_rate
        self.vx = [self.rho * vx + dx for vx, dx in zip(self.vx, grad)]
        self.x = [x - self.learning_rate * vx for x, vx in zip(self.x, self.vx)]
        return self.x


class Nesterov:
    """docs/spec.md section 3: old_v = v; v = rho * v - learning_rate * dx;
    x += -rho * old_v + (1 + rho) * v."""

    def __init__(self, config, x0):
        self.learning_rate = config["learningRate"]
        self.rho = config["rho"]
        self.x = list(x0)
        self.v = [0.0] * len(x0)

    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            self.learning_rate = learning_rate
        rho = self.rho
        old_v = self.v
        self.v = [rho * v - self.learning_rate * dx for v, dx in zip(old_v, grad)]
        self.x = [x + (-rho * ov + (1 + rho) * v) for x, ov, v in zip(self.x, old_v, self.v)]
        return self.x


class AdaGrad:
    """docs/spec.md section 4: grad_squared += dx * dx;
    x -= learning_rate * dx / (np.sqrt(grad_squared) + eps)."""

    def __init__(self, config, x0):
        self.learning_rate = config["learningRate"]
        self.eps = config["epsilon"]
        self.x = list(x0)
        self.grad_squared = [0.0] * len(x0)

    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            self.learning_rate = learning_rate
        self.grad_squared = [gs + dx * dx for gs, dx in zip(self.grad_squared, grad)]
        self.x = [
            x - divide(self.learning_rate * dx, math.sqrt(gs) + self.eps) for x, dx, gs in zip(self.x, grad, self.grad_squared)
        ]
        return self.x


class RMSProp:
    """docs/spec.md section 5: grad_squared = decay_rate * grad_squared + (1 - decay_rate) * dx * dx;
    x -= learning_rate * dx / (np.sqrt(grad_squared) + eps)."""

    def __init__(self, config, x0):
        self.learning_rate = config["learningRate"]
        self.decay_rate = config["decayRate"]
        self.eps = config["epsilon"]
        self.x = list(x0)
        self.grad_squared = [0.0] * len(x0)

    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            self.learning_rate = learning_rate
        d = self.decay_rate
        self.grad_squared = [d * gs + (1 - d) * dx * dx for gs, dx in zip(self.grad_squared, grad)]
        self.x = [
            x - divide(self.learning_rate * dx, math.sqrt(gs) + self.eps) for x, dx, gs in zip(self.x, grad, self.grad_squared)
        ]
        return self.x


class Adam:
    """docs/spec.md section 6, full form, t counted from 1."""

    def __init__(self, config, x0):
        self.learning_rate = config["learningRate"]
        self.beta1 = config["beta1"]
        self.beta2 = config["beta2"]
        self.eps = config["epsilon"]
        self.x = list(x0)
        self.first_moment = [0.0] * len(x0)
        self.second_moment = [0.0] * len(x0)
        self.t = 0

    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            self.learning_rate = learning_rate
        self.t += 1
        b1, b2, t = self.beta1, self.beta2, self.t
        self.first_moment = [b1 * m + (1 - b1) * dx for m, dx in zip(self.first_moment, grad)]
        self.second_moment = [b2 * v + (1 - b2) * dx * dx for v, dx in zip(self.second_moment, grad)]
        first_unbias = [m / (1 - b1 ** t) for m in self.first_moment]
        second_unbias = [v / (1 - b2 ** t) for v in self.second_moment]
        self.x = [
            x - divide(self.learning_rate * m, math.sqrt(v) + self.eps) for x, m, v in zip(self.x, first_unbias, second_unbias)
        ]
        return self.x


OPTIMIZERS = {"sgd": Sgd, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad, "rmsprop": RMSProp, "adam": Adam}


class Tensors:
    """docs/spec.md section 9: several tensors, each its own rule instance above (its own state
    and its own t); one learning rate per group, or the group's schedule at the group's step t
    (counted from 0); a tensor given no gradient is not stepped at all. The saved state is
    every instance's fields and every group's learning rate and step count."""

    def __init__(self, adapter, groups):
        self.tensors, self.group_of, self.groups = [], [], []
        for g, group in enumerate(groups):
            schedule = None if group["schedule"] is None else adapter.schedule(group["schedule"])
            self.groups.append({"learning_rate": group["config"]["learningRate"], "schedule": schedule, "steps": 0})
            for x0 in group["x0"]:
                self.tensors.append(adapter.create(group["config"], x0))
                self.group_of.append(g)

    def step(self, grads, learning_rates=None):
        rates = []
        for g, group in enumerate(self.groups):
            if group["schedule"] is not None:
                rate = group["schedule"](group["steps"])
            elif learning_rates is not None and learning_rates[g] is not None:
                rate = learning_rates[g]
            else:
                rate = group["learning_rate"]
            group["learning_rate"] = rate
            group["steps"] += 1
            rates.append(rate)
        for tensor, grad, g in zip(self.tensors, grads, self.group_of):
            if grad is not None:  # a missing gradient leaves the tensor, its state and its t alone
                tensor.step(grad, learning_rate=rates[g])
        return [tensor.x for tensor in self.tensors]

    def save(self):
        return {
            "tensors": [dict(vars(tensor)) for tensor in self.tensors],
            "groups": [{"learning_rate": g["learning_rate"], "steps": g["steps"]} for g in self.groups],
        }

    def restore(self, state, params):
        for tensor, saved, x in zip(self.tensors, state["tensors"], params):
            vars(tensor).update(saved)
            tensor.x = list(x)
        for group, saved in zip(self.groups, state["groups"]):
            group.update(saved)


class LecturePure:
    name = "lecture rules in pure Python"
    dtype = "float64"
    optimizers = list(OPTIMIZERS)
    schedules = ["step", "exponential", "inverse-time"]
    tensors = {"tensors": True, "missingGradients": True, "groups": True, "saveRestore": True,
               "schedules": ["step", "exponential", "inverse-time"]}

    def create(self, config, x0):
        name = config.get("optimizer")
        if name not in OPTIMIZERS:
            raise ValueError("unknown optimizer %r" % (name,))
        return OPTIMIZERS[name](config, x0)

    def schedule(self, config):
        """docs/spec.md section 7, t counted from 0."""
        kind = config.get("schedule")
        initial = config["initial"]
        if kind == "step":
            every, factor = config["every"], config["factor"]
            return lambda t: initial * factor ** math.floor(t / every)
        if kind == "exponential":
            k = config["k"]
            return lambda t: initial * math.exp(-k * t)
        if kind == "inverse-time":
            k = config["k"]
            return lambda t: initial / (1 + k * t)
        raise ValueError("unknown schedule %r" % (kind,))

    def create_tensors(self, groups):
        return Tensors(self, groups)


if __name__ == "__main__":
    serve(LecturePure())
