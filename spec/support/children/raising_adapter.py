"""A protocol adapter whose step raises from the user's own code, two frames deep."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "python"))

from optimspec_protocol import serve  # noqa: E402


class Stepper:
    def __init__(self, x0):
        self.x = x0

    def step(self, grad, learning_rate=None):
        return self.update(grad)

    def update(self, grad):
        raise RuntimeError("boom in update")


class Raising:
    name = "raises from its own code"
    dtype = "float64"
    optimizers = ["sgd"]

    def create(self, config, x0):
        return Stepper(x0)


if __name__ == "__main__":
    serve(Raising())
