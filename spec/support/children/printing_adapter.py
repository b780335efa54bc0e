"""A Python adapter that print()s while it steps and raises on a bad gradient:
serve() must keep stdout clean (prints go to stderr) and answer ok:false."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "python"))

from optimspec_protocol import serve  # noqa: E402


class Sgd:
    def __init__(self, config, x0):
        self.lr = config["learningRate"]
        self.x = list(x0)

    def step(self, grad, learning_rate=None):
        print("stepping with", grad)
        if any(g != g for g in grad):
            raise ValueError("gradient contains NaN")
        self.x = [x - self.lr * g for x, g in zip(self.x, grad)]
        return self.x


class Printing:
    name = "printing adapter"
    dtype = "float64"
    optimizers = ["sgd"]

    def create(self, config, x0):
        print("creating", config)
        return Sgd(config, x0)


if __name__ == "__main__":
    serve(Printing())
