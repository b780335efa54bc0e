"""Serve an optimizer written in Python over the optimspec stdio protocol.

Stdlib only, Python 3.8+. The protocol is documented in docs/protocol.md: one
JSON object per line on stdin (requests) and stdout (answers); stderr is free
for your logs. Usage::

    from optimspec_protocol import serve

    class MyAdapter:
        name = "my optimizers"
        dtype = "float64"                 # what you compute in: "float16", "bfloat16",
                                          # "float32" or "float64"
        # optional, mixed precision beside a narrower dtype (docs/spec.md): a dict
        # such as {"state": "float32", "arithmetic": "float32"} named precision
        optimizers = ["sgd"]              # the names you implement
        schedules = []                    # "step", "exponential", "inverse-time"

        def create(self, config, x0):     # config: dict as in optimspec's OptimizerConfig
            return MyStepper(config, x0)  # x0: list of floats

        def schedule(self, config):       # optional: returns t -> learning rate
            ...

    class MyStepper:
        def step(self, grad, learning_rate=None):
            ...                           # returns the parameters after the update
                                          # (a list, tuple or NumPy array)

    if __name__ == "__main__":
        serve(MyAdapter())

Several tensors (docs/spec.md section 9), optional: declare what you support with a
``tensors`` dict and implement ``create_tensors``::

    class MyAdapter:
        ...
        tensors = {"tensors": True, "missingGradients": True, "groups": True,
                   "saveRestore": True, "schedules": ["step"]}

        def create_tensors(self, groups):  # [{"config": dict, "schedule": dict or None, "x0": [list of floats]}]
            return MyTensors(groups)

    class MyTensors:
        def step(self, grads, learning_rates=None):  # grads: one list per tensor, None for a missing gradient;
            ...                                       # learning_rates: None, or one per group (None: unchanged)
            return [...]                              # every tensor's values after the step
        def save(self):                               # optional: the state as JSON data (dicts, lists, floats,
            ...                                       # ints, strings, bools, None; NumPy arrays and tensors as lists)
        def restore(self, state, params):             # optional: a state save() returned, and every tensor's values
            ...

The state crosses the protocol as JSON with the protocol's numbers: ``save``'s
floats are encoded (NaN, the infinities and -0 as strings) and ``restore`` gets
them back as floats.

`serve` answers every request; an exception raised by your code becomes an
``ok: false`` answer carrying its message and traceback, and the session goes on.
Raise ``Unsupported("why")`` from ``create`` or ``schedule`` for a configuration
your library refuses although the lecture allows it (PyTorch's Nesterov with
momentum 0): the checks that need it are reported skipped with your reason, and
the rest is judged. Every hyperparameter reaches your code as a float (JSON has
one number type; ``beta1: 0`` would otherwise arrive as the int 0), except step
decay's ``every``, a count of epochs, which stays an int. While your code runs,
``sys.stdout`` points at stderr, so a stray ``print`` cannot corrupt the protocol
stream.
"""

import io
import json
import math
import os
import sys
import traceback

PROTOCOL_VERSION = 1

_HERE = os.path.abspath(__file__)

# Config fields that are counts, not real numbers: they stay ints.
_INTEGER_FIELDS = ("every",)


class Unsupported(Exception):
    """Raised by an adapter for a configuration it refuses although the lecture
    allows it; the checker skips the checks that need it and says why."""

_SPECIAL_IN = {
    "NaN": float("nan"),
    "Infinity": float("inf"),
    "-Infinity": float("-inf"),
    "-0": -0.0,
}


def decode_number(value, field):
    """A wire number (JSON number or "NaN", "Infinity", "-Infinity", "-0") as a float."""
    if isinstance(value, bool):
        raise TypeError("%s must be a number, got %r" % (field, value))
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value in _SPECIAL_IN:
        return _SPECIAL_IN[value]
    raise TypeError("%s must be a number, got %r" % (field, value))


def decode_vector(value, field):
    """A list of wire numbers as a list of floats."""
    if not isinstance(value, list):
        raise TypeError("%s must be a list of numbers, got %r" % (field, value))
    return [decode_number(v, "%s[%d]" % (field, i)) for i, v in enumerate(value)]


def encode_number(value):
    """A float for the wire: finite values as JSON numbers (repr is the shortest
    round-trip form), NaN, infinities and -0.0 as strings (JSON has no NaN or
    infinity, and a reader may drop the sign of a zero)."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0 and math.copysign(1.0, value) < 0:
        return "-0"
    return value


def encode_vector(values):
    """Any iterable of numbers (list, tuple, NumPy array) as a list of wire numbers."""
    return [encode_number(v) for v in values]


def encode_state(value, path="state"):
    """A saved state as JSON data with the protocol's numbers: floats encoded (NaN, the
    infinities and -0 as strings), ints, strings, bools and None kept, anything with a
    ``tolist`` (NumPy arrays, torch tensors) as a list."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return encode_number(value)
    if hasattr(value, "tolist"):
        return encode_state(value.tolist(), path)
    if isinstance(value, dict):
        return {str(k): encode_state(v, "%s.%s" % (path, k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_state(v, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
    raise TypeError("%s is a %s, which a JSON state cannot hold" % (path, type(value).__name__))


def decode_state(value):
    """A state from the wire: the strings "NaN", "Infinity", "-Infinity", "-0" as floats."""
    if isinstance(value, str) and value in _SPECIAL_IN:
        return _SPECIAL_IN[value]
    if isinstance(value, dict):
        return {k: decode_state(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_state(v) for v in value]
    return value


def decode_config(config):
    """A config dict with its numbers decoded as floats (`beta1: 0` becomes 0.0),
    but the integer counts of _INTEGER_FIELDS (step decay's `every`)."""
    if not isinstance(config, dict):
        raise TypeError("config must be an object, got %r" % (config,))
    out = {}
    for key, value in config.items():
        if isinstance(value, str) and value in _SPECIAL_IN:
            out[key] = _SPECIAL_IN[value]
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or key in _INTEGER_FIELDS:
            out[key] = value
        else:
            out[key] = float(value)
    return out


class _Server:
    def __init__(self, adapter):
        self.adapter = adapter
        self.instances = {}
        self.next_handle = 1

    def hello(self, request):
        version = request.get("protocol")
        if version != PROTOCOL_VERSION:
            raise ValueError("protocol version %r is not supported (this helper speaks %d)" % (version, PROTOCOL_VERSION))
        answer = {
            "protocol": PROTOCOL_VERSION,
            "name": self.adapter.name,
            "dtype": self.adapter.dtype,
            "optimizers": list(self.adapter.optimizers),
        }
        schedules = list(getattr(self.adapter, "schedules", []) or [])
        if schedules:
            answer["schedules"] = schedules
        precision = getattr(self.adapter, "precision", None)
        if precision:
            answer["precision"] = dict(precision)
        tensors = getattr(self.adapter, "tensors", None)
        if tensors:
            answer["tensors"] = dict(tensors)
        return answer

    def create(self, request):
        config = decode_config(request.get("config"))
        x0 = decode_vector(request.get("x0"), "x0")
        stepper = self.adapter.create(config, x0)
        handle = self.next_handle
        self.next_handle += 1
        self.instances[handle] = (stepper, len(x0))
        return {"handle": handle}

    def _instance(self, request):
        handle = request.get("handle")
        if handle not in self.instances:
            raise KeyError("no instance with handle %r" % (handle,))
        return self.instances[handle]

    def step(self, request):
        stepper, _ = self._instance(request)
        grad = decode_vector(request.get("grad"), "grad")
        if request.get("learningRate") is None:
            x = stepper.step(grad)
        else:
            x = stepper.step(grad, learning_rate=decode_number(request["learningRate"], "learningRate"))
        return {"x": encode_vector(x)}

    def steps(self, request):
        stepper, _ = self._instance(request)
        grads = request.get("grads")
        if not isinstance(grads, list):
            raise TypeError("grads must be a list of vectors, got %r" % (grads,))
        rates = request.get("learningRates")
        if rates is not None and (not isinstance(rates, list) or len(rates) != len(grads)):
            raise TypeError("learningRates must be a list as long as grads")
        xs = []
        for i, g in enumerate(grads):
            grad = decode_vector(g, "grads[%d]" % i)
            if rates is None or rates[i] is None:
                x = stepper.step(grad)
            else:
                x = stepper.step(grad, learning_rate=decode_number(rates[i], "learningRates[%d]" % i))
            xs.append(encode_vector(x))
        return {"xs": xs}

    def schedule(self, request):
        make = getattr(self.adapter, "schedule", None)
        if make is None:
            raise NotImplementedError("this adapter has no schedules")
        fn = make(decode_config(request.get("config")))
        times = request.get("t")
        if not isinstance(times, list) or not all(isinstance(t, int) and not isinstance(t, bool) for t in times):
            raise TypeError("t must be a list of integers, got %r" % (times,))
        # In ascending order, each t once: a schedule that steps a stateful scheduler (PyTorch's
        # LRScheduler) answers a whole table in one pass instead of t steps per value.
        values = {}
        for t in sorted(set(times)):
            values[t] = encode_number(fn(t))
        return {"values": [values[t] for t in times]}

    def create_tensors(self, request):
        make = getattr(self.adapter, "create_tensors", None)
        if make is None:
            raise NotImplementedError("this adapter has no create_tensors")
        groups = request.get("groups")
        if not isinstance(groups, list) or not groups:
            raise TypeError("groups must be a non-empty list, got %r" % (groups,))
        decoded = []
        for g, group in enumerate(groups):
            x0 = group.get("x0") if isinstance(group, dict) else None
            if not isinstance(x0, list):
                raise TypeError("groups[%d].x0 must be a list of vectors, got %r" % (g, x0))
            schedule = group.get("schedule")
            decoded.append({
                "config": decode_config(group.get("config")),
                "schedule": None if schedule is None else decode_config(schedule),
                "x0": [decode_vector(x, "groups[%d].x0[%d]" % (g, i)) for i, x in enumerate(x0)],
            })
        tensors = make(decoded)
        handle = self.next_handle
        self.next_handle += 1
        self.instances[handle] = (tensors, sum(len(g["x0"]) for g in decoded))
        return {"handle": handle}

    def step_tensors(self, request):
        tensors, count = self._instance(request)
        grads = request.get("grads")
        if not isinstance(grads, list) or len(grads) != count:
            raise TypeError("grads must be a list of %d vectors or nulls, got %r" % (count, grads))
        decoded = [None if g is None else decode_vector(g, "grads[%d]" % i) for i, g in enumerate(grads)]
        rates = request.get("learningRates")
        if rates is None:
            xs = tensors.step(decoded)
        else:
            if not isinstance(rates, list):
                raise TypeError("learningRates must be a list, got %r" % (rates,))
            xs = tensors.step(decoded, learning_rates=[
                None if r is None else decode_number(r, "learningRates[%d]" % i) for i, r in enumerate(rates)
            ])
        return {"xs": [encode_vector(x) for x in xs]}

    def save(self, request):
        tensors, _ = self._instance(request)
        return {"state": encode_state(tensors.save())}

    def restore(self, request):
        tensors, _ = self._instance(request)
        params = request.get("params")
        if not isinstance(params, list):
            raise TypeError("params must be a list of vectors, got %r" % (params,))
        tensors.restore(decode_state(request.get("state")), [decode_vector(p, "params[%d]" % i) for i, p in enumerate(params)])
        return {}

    def dispose(self, request):
        stepper, _ = self._instance(request)
        del self.instances[request.get("handle")]
        close = getattr(stepper, "dispose", None)
        if close is not None:
            close()
        return {}


def _user_traceback(error):
    """The traceback of an exception raised by the adapter, without the helper's own
    frames, so the error names the file and line of the user's code."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if os.path.abspath(f.filename) != _HERE]
    return "".join(traceback.format_list(frames)).rstrip()


def _send(out, text):
    """Writes one answer line and flushes it; False once the parent has gone (broken pipe)."""
    try:
        out.write(text + "\n")
        out.flush()
        return True
    except BrokenPipeError:
        return False


def serve(adapter, stdin=None, stdout=None):
    """Answer protocol requests from `stdin` on `stdout` until `shutdown` or end of input."""
    stdin = stdin if stdin is not None else io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8")
    out = stdout if stdout is not None else sys.stdout
    server = _Server(adapter)
    ops = {
        "hello": server.hello,
        "create": server.create,
        "step": server.step,
        "steps": server.steps,
        "schedule": server.schedule,
        "dispose": server.dispose,
        "createTensors": server.create_tensors,
        "stepTensors": server.step_tensors,
        "save": server.save,
        "restore": server.restore,
    }
    saved_stdout = sys.stdout
    sys.stdout = sys.stderr
    try:
        for line in stdin:
            line = line.strip()
            if not line:
                continue
            try:
                request = json.loads(line)
                if not isinstance(request, dict) or not isinstance(request.get("id"), int):
                    raise ValueError("a request must be a JSON object with an integer id")
            except ValueError as error:
                answer = {"id": None, "ok": False, "error": "cannot read request: %s" % error}
                if not _send(out, json.dumps(answer)):
                    return
                continue
            op = request.get("op")
            try:
                if op == "shutdown":
                    result = {}
                elif op in ops:
                    result = ops[op](request)
                else:
                    raise ValueError("unknown op %r" % (op,))
                answer = {"id": request["id"], "ok": True}
                answer.update(result)
                text = json.dumps(answer, allow_nan=False)
            except Unsupported as refusal:  # a declared refusal of this configuration
                text = json.dumps({"id": request["id"], "ok": False, "unsupported": True, "error": str(refusal)})
            except Exception as error:  # the adapter's own failure: report it with where it happened, keep serving
                where = _user_traceback(error)
                message = "%s: %s" % (type(error).__name__, error) + ("\n" + where if where else "")
                text = json.dumps({"id": request["id"], "ok": False, "error": message})
            if not _send(out, text) or op == "shutdown":
                return
    finally:
        sys.stdout = saved_stdout
