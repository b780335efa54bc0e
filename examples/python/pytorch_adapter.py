"""An optimspec adapter over PyTorch's own optimizers and learning-rate schedulers.

Written for Debian's python3-torch (PyTorch 1.13), which installs for Debian's
interpreter /usr/bin/python3 (not a pyenv or venv python3 that may come first on
PATH)::

    apt-get install -y python3-torch
    node bin/optimspec.js check --exec "/usr/bin/python3 examples/python/pytorch_adapter.py float64"
    node bin/optimspec.js check --exec "/usr/bin/python3 examples/python/pytorch_adapter.py float32"

The one argument is the dtype the parameter, its gradient and the optimizer's
state are kept in (torch.float32, torch.float64, torch.bfloat16 or torch.float16)::

    node bin/optimspec.js check --exec "/usr/bin/python3 examples/python/pytorch_adapter.py bfloat16"

An optimizer torch's CPU build cannot step in that dtype is not declared, so the
checker reports it `unsupported`: at start-up each optimizer takes one step on a
scratch tensor of the dtype, and one that raises (torch 1.13's Adagrad, RMSprop and
Adam in float16: ``"addcmul_cpu_out" not implemented for 'Half'``) is left out, torch's
message written to stderr. A torch that runs them is checked on them.

What this adapter does NOT change: every update is `optimizer.step()` of
torch.optim.SGD (momentum=rho, dampening=0, nesterov False/True), Adagrad
(lr_decay=0, initial_accumulator_value=0, weight_decay=0), RMSprop
(alpha=decay_rate, momentum=0, centered=False, weight_decay=0) or Adam
(amsgrad=False, weight_decay=0), on one parameter tensor whose `.grad` is set to
the checker's gradient; every schedule value is what torch's own scheduler puts
into the optimizer's learning rate after `t` calls of `scheduler.step()`
(StepLR(step_size=every, gamma=factor), ExponentialLR(gamma=exp(-k)), and, for
1/t decay, which torch has no class for, LambdaLR(lambda t: 1 / (1 + k t))).
Bridged: the learning rate of a step is written to `param_groups[0]["lr"]`,
where torch's schedulers write it too. A configuration torch refuses with
ValueError (Nesterov with momentum 0: "Nesterov momentum requires a momentum and
zero dampening") is answered as unsupported, with torch's message.

Several tensors (docs/spec.md section 9), as PyTorch is used: one optimizer over
every tensor, one param group per group with that group's hyperparameters; a tensor
given no gradient has `.grad = None` (torch skips it); a group's learning rate is
written to its own `param_groups[g]["lr"]`; a schedule is torch's scheduler over the
optimizer, `scheduler.step()` after each `optimizer.step()` (every scheduled group
must have the same schedule: one scheduler per optimizer). Save is
`optimizer.state_dict()` (and the scheduler's), written as JSON; restore turns the JSON
back into what `load_state_dict` takes (the state's integer keys, the step counters and
buffers as tensors of the dtype torch made them in) and copies the parameters in.
"""

import math
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from optimspec_protocol import serve  # noqa: E402

try:
    from optimspec_protocol import Unsupported
except ImportError:
    Unsupported = ValueError

# torch warns when a scheduler steps before its optimizer; the schedules here
# are read without training, so that order is intended.
warnings.filterwarnings("ignore", category=UserWarning, module="torch.optim.lr_scheduler")

DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16, "float16": torch.float16}


OPTIMIZERS = {"sgd": torch.optim.SGD, "momentum": torch.optim.SGD, "nesterov": torch.optim.SGD,
              "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "adam": torch.optim.Adam}


def group_options(config):
    """torch's hyperparameters for one config: the optimizer's keyword arguments, or a param group's keys."""
    name = config["optimizer"]
    lr = float(config["learningRate"])
    if name == "sgd":
        return dict(lr=lr, momentum=0.0, dampening=0.0, nesterov=False)
    if name in ("momentum", "nesterov"):
        return dict(lr=lr, momentum=float(config["rho"]), dampening=0.0, nesterov=name == "nesterov")
    if name == "adagrad":
        return dict(lr=lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=float(config["epsilon"]))
    if name == "rmsprop":
        return dict(lr=lr, alpha=float(config["decayRate"]), eps=float(config["epsilon"]), weight_decay=0.0, momentum=0.0, centered=False)
    if name == "adam":
        return dict(lr=lr, betas=(float(config["beta1"]), float(config["beta2"])), eps=float(config["epsilon"]), weight_decay=0.0, amsgrad=False)
    raise ValueError("unsupported optimizer %r" % (name,))


def make_optimizer(config, params):
    return OPTIMIZERS[config["optimizer"]](params, **group_options(config))


# One ordinary configuration per optimizer, for the start-up probe of what torch can step in a dtype.
PROBES = {
    "sgd": {"optimizer": "sgd", "learningRate": 0.1},
    "momentum": {"optimizer": "momentum", "learningRate": 0.1, "rho": 0.9},
    "nesterov": {"optimizer": "nesterov", "learningRate": 0.1, "rho": 0.9},
    "adagrad": {"optimizer": "adagrad", "learningRate": 0.1, "epsilon": 1e-7},
    "rmsprop": {"optimizer": "rmsprop", "learningRate": 0.1, "decayRate": 0.99, "epsilon": 1e-8},
    "adam": {"optimizer": "adam", "learningRate": 0.1, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}


def refusal(name, dtype):
    """torch's message if its CPU build cannot step optimizer `name` in `dtype` (two steps on a scratch tensor), else None."""
    param = torch.tensor([1.0, -2.0], dtype=dtype, requires_grad=True)
    optimizer = make_optimizer(PROBES[name], [param])
    try:
        for _ in range(2):
            param.grad = torch.tensor([0.5, 0.25], dtype=dtype)
            optimizer.step()
    except RuntimeError as err:
        return str(err)
    return None


class TorchStepper:
    def __init__(self, config, x0, dtype):
        self.dtype = dtype
        self.param = torch.tensor(x0, dtype=dtype, requires_grad=True)
        try:
            self.optimizer = make_optimizer(config, [self.param])
        except ValueError as err:
            raise Unsupported(str(err))

    def step(self, grad, learning_rate=None):
        if learning_rate is not None:
            for group in self.optimizer.param_groups:
                group["lr"] = float(learning_rate)
        self.param.grad = torch.tensor(grad, dtype=self.dtype)
        self.optimizer.step()
        return self.param.detach().tolist()


def make_scheduler(config, optimizer):
    name = config["schedule"]
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(config["every"]), gamma=float(config["factor"]))
    if name == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=math.exp(-float(config["k"])))
    if name == "inverse-time":
        k = float(config["k"])
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda=lambda t: 1.0 / (1.0 + k * t))
    raise ValueError("unsupported schedule %r" % (name,))


class TorchSchedule:
    """Value at t: the learning rate torch's scheduler has set after t steps (cached, stepped forward on demand)."""

    def __init__(self, config):
        param = torch.zeros(1, requires_grad=True)
        self.optimizer = torch.optim.SGD([param], lr=float(config["initial"]))
        try:
            self.scheduler = make_scheduler(config, self.optimizer)
        except ValueError as err:
            raise Unsupported(str(err))
        self.values = [self.optimizer.param_groups[0]["lr"]]

    def __call__(self, t):
        t = int(t)
        while len(self.values) <= t:
            self.scheduler.step()
            self.values.append(self.optimizer.param_groups[0]["lr"])
        return self.values[t]


# The state entries torch keeps as tensors of the parameter's dtype (the rest, `step`, as it made it).
BUFFERS = ("momentum_buffer", "sum", "square_avg", "exp_avg", "exp_avg_sq")


class TorchTensors:
    """Several tensors in param groups of one torch optimizer, with torch's scheduler where a group has a schedule."""

    def __init__(self, groups, dtype):
        self.dtype = dtype
        self.params = [torch.tensor(x0, dtype=dtype, requires_grad=True) for g in groups for x0 in g["x0"]]
        self.group_of = [i for i, g in enumerate(groups) for _ in g["x0"]]
        param_groups, start = [], 0
        for g in groups:
            options = group_options(g["config"])
            if g["schedule"] is not None:
                options["lr"] = float(g["schedule"]["initial"])  # the scheduler's base learning rate
            param_groups.append(dict(params=self.params[start:start + len(g["x0"])], **options))
            start += len(g["x0"])
        try:
            self.optimizer = OPTIMIZERS[groups[0]["config"]["optimizer"]](param_groups)
        except ValueError as err:
            raise Unsupported(str(err))
        schedules = [g["schedule"] for g in groups]
        self.scheduler = None
        if any(s is not None for s in schedules):
            if any(s != schedules[0] for s in schedules):
                raise Unsupported("one scheduler per optimizer: every group must have the same schedule")
            self.scheduler = make_scheduler(schedules[0], self.optimizer)

    def step(self, grads, learning_rates=None):
        for g, lr in enumerate(learning_rates or []):
            if lr is not None:
                self.optimizer.param_groups[g]["lr"] = float(lr)
        for p, grad in zip(self.params, grads):
            p.grad = None if grad is None else torch.tensor(grad, dtype=self.dtype)
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        return [p.detach().tolist() for p in self.params]

    def save(self):
        state = {"optimizer": self.optimizer.state_dict()}
        if self.scheduler is not None:
            state["scheduler"] = self.scheduler.state_dict()
        return state

    def restore(self, state, params):
        saved = state["optimizer"]
        # JSON made the state's integer keys strings and its tensors lists: back to what torch wrote.
        entries = {}
        for key, entry in saved["state"].items():
            param = self.params[int(key)]
            entries[int(key)] = {
                k: (torch.tensor(v, dtype=param.dtype) if k in BUFFERS and v is not None else torch.tensor(v) if k == "step" else v)
                for k, v in entry.items()
            }
        self.optimizer.load_state_dict({"state": entries, "param_groups": saved["param_groups"]})
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        with torch.no_grad():
            for p, values in zip(self.params, params):
                p.copy_(torch.tensor(values, dtype=self.dtype))


class PyTorchAdapter:
    schedules = ["step", "exponential", "inverse-time"]
    tensors = {"tensors": True, "missingGradients": True, "groups": True, "saveRestore": True,
               "schedules": ["step", "exponential", "inverse-time"]}

    def __init__(self, dtype_name):
        self.schedule_cache = {}
        if dtype_name not in DTYPES:
            raise SystemExit("usage: pytorch_adapter.py float32|float64|bfloat16|float16 (got %r)" % (dtype_name,))
        self.dtype = dtype_name
        self.torch_dtype = DTYPES[dtype_name]
        self.refused = {name: refusal(name, self.torch_dtype) for name in PROBES}
        self.optimizers = [name for name in PROBES if self.refused[name] is None]
        for name, reason in self.refused.items():
            if reason is not None:
                sys.stderr.write("pytorch_adapter.py: torch %s cannot step %s in %s here, so it is not declared: %s\n"
                                 % (torch.__version__, name, dtype_name, reason))
        self.name = "PyTorch %s torch.optim" % (torch.__version__,)

    def create(self, config, x0):
        return TorchStepper(config, x0, self.torch_dtype)

    def create_tensors(self, groups):
        return TorchTensors(groups, self.torch_dtype)

    def schedule(self, config):
        # The checker asks for a schedule's values in batches; stepping torch's
        # scheduler from t = 0 again for each batch would cost O(t) per batch.
        key = tuple(sorted((k, repr(v)) for k, v in config.items()))
        if key not in self.schedule_cache:
            if len(self.schedule_cache) >= 64:
                self.schedule_cache.pop(next(iter(self.schedule_cache)))
            self.schedule_cache[key] = TorchSchedule(config)
        return self.schedule_cache[key]


if __name__ == "__main__":
    serve(PyTorchAdapter(sys.argv[1] if len(sys.argv) > 1 else "float64"))
