"""An optimspec adapter over PyTorch's own optimizers and learning-rate schedulers.

Written for Debian's python3-torch (PyTorch 1.13), which installs for Debian's
interpreter /usr/bin/python3 (not a pyenv or venv python3 that may come first on
PATH)::

    apt-get install -y python3-torch
    node bin/optimspec.js check --exec "/usr/bin/python3 examples/python/pytorch_adapter.py float64"
    node bin/optimspec.js check --exec "/usr/bin/python3 examples/python/pytorch_adapter.py float32"

The one argument is the dtype the parameter, its gradient and the optimizer's
state are kept in (torch.float32 or torch.float64).

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

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def make_optimizer(config, params):
    name = config["optimizer"]
    lr = float(config["learningRate"])
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.0, dampening=0.0, nesterov=False)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=float(config["rho"]), dampening=0.0, nesterov=name == "nesterov")
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=float(config["epsilon"]))
    if name == "rmsprop":
        return torch.optim.RMSprop(
            params, lr=lr, alpha=float(config["decayRate"]), eps=float(config["epsilon"]), weight_decay=0.0, momentum=0.0, centered=False
        )
    if name == "adam":
        return torch.optim.Adam(
            params, lr=lr, betas=(float(config["beta1"]), float(config["beta2"])), eps=float(config["epsilon"]), weight_decay=0.0, amsgrad=False
        )
    raise ValueError("unsupported optimizer %r" % (name,))


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


class PyTorchAdapter:
    optimizers = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    schedules = ["step", "exponential", "inverse-time"]

    def __init__(self, dtype_name):
        self.schedule_cache = {}
        if dtype_name not in DTYPES:
            raise SystemExit("usage: pytorch_adapter.py float32|float64 (got %r)" % (dtype_name,))
        self.dtype = dtype_name
        self.torch_dtype = DTYPES[dtype_name]
        self.name = "PyTorch %s torch.optim" % (torch.__version__,)

    def create(self, config, x0):
        return TorchStepper(config, x0, self.torch_dtype)

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
