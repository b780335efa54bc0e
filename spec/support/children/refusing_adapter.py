"""A protocol adapter that behaves like PyTorch towards its configs: the lecture's
rules of examples/python/lecture_pure.py, but Nesterov refuses rho = 0 (as
torch.optim.SGD(nesterov=True) requires a momentum) and every hyperparameter must
arrive as a float (as torch's Adam insists), else create raises TypeError."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "examples", "python"))

from lecture_pure import LecturePure  # noqa: E402
from optimspec_protocol import Unsupported, serve  # noqa: E402


class Refusing(LecturePure):
    name = "refuses Nesterov with rho = 0"
    optimizers = ["sgd", "nesterov"]
    schedules = ["step"]

    def create(self, config, x0):
        for key, value in config.items():
            if key != "optimizer" and type(value) is not float:
                raise TypeError("%s must be a float, got %r" % (key, value))
        if config["optimizer"] == "nesterov" and config["rho"] == 0:
            raise Unsupported("Nesterov momentum requires a momentum and zero dampening")
        return super().create(config, x0)

    def schedule(self, config):
        if type(config["every"]) is not int:
            raise TypeError("every must be an int, got %r" % (config["every"],))
        return super().schedule(config)


if __name__ == "__main__":
    serve(Refusing())
