"""Code that runs inside each kernel, not in fwcheat's own process.

:func:`startup_code` sends this file's source to a kernel, which installs it as
the module ``_fwcheat_kernel``. It survives ``%reset -f``, so every snippet can
start from a fresh namespace and still get its device variable defined and
its values fetched for comparison. The kernel may be another interpreter (a
legacy MXNet environment) without fwcheat installed, so this file uses only
the standard library and whatever framework is importable there, and keeps to
syntax that old Pythons accept.

What differs between frameworks is in :data:`HOOKS`, one class per framework
keyed as in ``fwcheat.frameworks.TABLE`` (the only other place that names
them): how to import it, count its GPUs, bind the device variable, put the
interpreter back as it was, and turn a value into NumPy data.
"""

# %-formatting on purpose: this source must also run on old legacy interpreters.
# ruff: noqa: UP031

import base64
import builtins
import contextlib
import io
import json
import os
import sys
import warnings

from IPython import get_ipython

_CAP = [1_001_000]  # characters per stream per run, before the client's own cap


class _CappedStream:
    """Drops writes past a per-run budget so a flood never leaves the kernel.

    ``close`` is ignored: a snippet closing ``sys.stdout`` must not take the
    kernel's output channel away from the snippets after it.
    """

    def __init__(self, stream, budget):  # type: ignore[no-untyped-def]
        self._stream = stream
        self._budget = budget
        self.used = 0

    def write(self, text):  # type: ignore[no-untyped-def]
        if self.used >= self._budget[0]:
            return len(text)
        room = self._budget[0] - self.used
        self.used += len(text)
        return self._stream.write(text[:room]) if len(text) > room else self._stream.write(text)

    def close(self):  # type: ignore[no-untyped-def]
        self._stream.flush()

    @property
    def closed(self):  # type: ignore[no-untyped-def]
        return False

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._stream, name)


# -- the frameworks -----------------------------------------------------------


class _Hooks:
    """What every framework shares; a subclass per framework overrides the rest."""

    label = ""
    modules = ()  # type: tuple  # imported by startup, in order
    device_var = "device"

    def load(self):  # type: ignore[no-untyped-def]
        for name in self.modules:
            __import__(name)

    def gpus(self):  # type: ignore[no-untyped-def]
        return 0

    def device_name(self, kind, index):  # type: ignore[no-untyped-def]
        raise NotImplementedError

    def device_value(self, kind, index):  # type: ignore[no-untyped-def]
        return self.device_name(kind, index)

    def enter_device(self, kind, index):  # type: ignore[no-untyped-def]
        """Make the device the default placement for the cells that follow."""

    def leave_device(self):  # type: ignore[no-untyped-def]
        pass

    def reset(self):  # type: ignore[no-untyped-def]
        """Undo global settings a snippet may have changed."""

    def to_numpy(self, value):  # type: ignore[no-untyped-def]
        return None  # not this framework's value


class _Torch(_Hooks):
    label = "PyTorch"
    modules = ("torch",)

    def gpus(self):  # type: ignore[no-untyped-def]
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0

    def device_name(self, kind, index):  # type: ignore[no-untyped-def]
        return "cuda:%d" % index if kind == "gpu" else "cpu"

    def device_value(self, kind, index):  # type: ignore[no-untyped-def]
        import torch

        return torch.device(self.device_name(kind, index))

    def reset(self):  # type: ignore[no-untyped-def]
        torch = sys.modules.get("torch")
        if torch is None:
            return
        torch.set_grad_enabled(True)
        torch.set_default_dtype(torch.float32)
        torch.set_printoptions(profile="default")
        if torch.are_deterministic_algorithms_enabled():
            torch.use_deterministic_algorithms(False)
        if torch.is_anomaly_enabled():
            torch.set_anomaly_enabled(False)

    def to_numpy(self, value):  # type: ignore[no-untyped-def]
        if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor
            tensor = value.detach().cpu()
            if str(tensor.dtype) == "torch.bfloat16":
                tensor = tensor.float()
            return tensor.numpy()
        return None


class _MXNet(_Hooks):
    label = "MXNet"
    modules = ("mxnet",)
    device_var = "ctx"

    def gpus(self):  # type: ignore[no-untyped-def]
        import mxnet

        return int(mxnet.context.num_gpus())

    def device_name(self, kind, index):  # type: ignore[no-untyped-def]
        return "mx.gpu(%d)" % index if kind == "gpu" else "mx.cpu()"

    def device_value(self, kind, index):  # type: ignore[no-untyped-def]
        import mxnet

        return mxnet.gpu(index) if kind == "gpu" else mxnet.cpu()

    def reset(self):  # type: ignore[no-untyped-def]
        mxnet = sys.modules.get("mxnet")
        if mxnet is None:
            return
        mxnet.autograd.set_recording(False)
        mxnet.autograd.set_training(False)

    def to_numpy(self, value):  # type: ignore[no-untyped-def]
        if hasattr(value, "asnumpy"):  # mxnet NDArray / np.ndarray
            return value.asnumpy()
        return None


class _TensorFlow(_Hooks):
    """TensorFlow: ``device`` is a device string, the default placement of every cell."""

    label = "TensorFlow"
    modules = ("tensorflow",)  # type: tuple

    def __init__(self):  # type: ignore[no-untyped-def]
        self.scope = None

    def load(self):  # type: ignore[no-untyped-def]
        _Hooks.load(self)
        quiet_tensorflow()

    def gpus(self):  # type: ignore[no-untyped-def]
        import tensorflow

        return len(tensorflow.config.list_physical_devices("GPU"))

    def device_name(self, kind, index):  # type: ignore[no-untyped-def]
        return "/GPU:%d" % index if kind == "gpu" else "/CPU:0"

    def enter_device(self, kind, index):  # type: ignore[no-untyped-def]
        import tensorflow

        self.leave_device()
        scope = tensorflow.device(self.device_name(kind, index))
        scope.__enter__()
        self.scope = scope

    def leave_device(self):  # type: ignore[no-untyped-def]
        scope, self.scope = self.scope, None
        if scope is None:
            return
        try:
            scope.__exit__(None, None, None)
        except Exception:  # the snippet left a scope of its own open: start over
            try:
                from tensorflow.python.eager import context

                data = context.context()._thread_local_data
                data.device_name = ""
                data.device_spec = context._starting_device_spec
            except Exception:
                pass

    def reset(self):  # type: ignore[no-untyped-def]
        tensorflow = sys.modules.get("tensorflow")
        if tensorflow is None:
            return
        self.leave_device()
        tensorflow.config.run_functions_eagerly(False)
        keras = sys.modules.get("keras")
        if keras is not None:
            try:
                keras.config.set_floatx("float32")
                keras.config.set_dtype_policy("float32")
            except Exception:
                pass

    def to_numpy(self, value):  # type: ignore[no-untyped-def]
        if hasattr(value, "numpy") and callable(value.numpy) and not hasattr(value, "detach"):
            try:
                return _plain(value.numpy())
            except Exception:
                return None
        return None


class _Keras(_TensorFlow):
    """Keras 3 on the TensorFlow backend, in a kernel of its own."""

    label = "Keras"
    modules = ("tensorflow", "keras")


def quiet_tensorflow():  # type: ignore[no-untyped-def]
    """Keep TensorFlow's Python-side chatter (absl, its logger) away from the user."""
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except Exception:
        pass
    try:
        import logging

        logging.getLogger("tensorflow").setLevel(logging.ERROR)
    except Exception:
        pass


#: One entry per framework, keyed as in fwcheat.frameworks.TABLE.
HOOKS = {
    "pytorch": _Torch(),
    "mxnet": _MXNet(),
    "tensorflow": _TensorFlow(),
    "keras": _Keras(),
}
_FRAMEWORK = [None]  # this kernel's framework, set by startup


def _hooks(framework=None):  # type: ignore[no-untyped-def]
    return HOOKS[framework or _FRAMEWORK[0]]


# -- what a snippet may leave behind ---------------------------------------------


class _Saved:
    """The interpreter's global state as it was after startup."""

    def __init__(self):  # type: ignore[no-untyped-def]
        self.streams = {}
        self.hooks = {}
        self.builtins = {}
        self.cwd = None
        self.path = None
        self.recursion = sys.getrecursionlimit()
        self.filters = None
        self.numpy_print = None
        self.environ = None
        self.logging = None


_SAVED = _Saved()


def _own_builtins():  # type: ignore[no-untyped-def]
    """The builtins, less those IPython adds and removes around each cell."""
    skip = set(getattr(get_ipython().builtin_trap, "auto_builtins", {})) | {"_"}
    return {k: v for k, v in vars(builtins).items() if k not in skip}


def _save_state():  # type: ignore[no-untyped-def]
    for name in ("stdout", "stderr", "stdin"):
        _SAVED.streams[name] = getattr(sys, name)
    for name in ("displayhook", "excepthook"):
        _SAVED.hooks[name] = getattr(sys, name)
    _SAVED.builtins = _own_builtins()
    try:
        _SAVED.cwd = os.getcwd()
    except OSError:
        _SAVED.cwd = None
    _SAVED.path = list(sys.path)
    _SAVED.recursion = sys.getrecursionlimit()
    _SAVED.filters = list(warnings.filters)
    _SAVED.environ = dict(os.environ)
    _SAVED.logging = _logging_state()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        _SAVED.numpy_print = numpy.get_printoptions()


def _logging_state():  # type: ignore[no-untyped-def]
    """``logging.disable``'s level, the root logger's level and handlers."""
    import logging

    root = logging.getLogger()
    return (logging.root.manager.disable, root.level, list(root.handlers))


def _restore_logging(saved):  # type: ignore[no-untyped-def]
    import logging

    disabled, level, handlers = saved
    root = logging.getLogger()
    if logging.root.manager.disable != disabled:
        logging.disable(disabled)
    if root.level != level:
        root.setLevel(level)
    if root.handlers != handlers:
        root.handlers[:] = handlers


def restore_state():  # type: ignore[no-untyped-def]
    """Put back what a snippet may have changed for the next one.

    The standard streams (replaced or closed), ``sys`` hooks, builtins, the
    working directory, ``sys.path``, the recursion limit, warning filters,
    environment variables, logging (``logging.disable``, the root logger's
    level and handlers), NumPy's print options, and the framework's own
    global switches (see ``HOOKS[...].reset``).
    """
    replaced = False
    for name, stream in _SAVED.streams.items():
        if getattr(sys, name) is not stream:
            setattr(sys, name, stream)
            replaced = True
    if replaced:
        # The kernel told the replaced stream, not ours, which request this
        # output belongs to: tell ours, or the output goes to the wrong run.
        ip = get_ipython()
        try:
            parent = ip.get_parent() if hasattr(ip, "get_parent") else ip.parent_header
            for stream in (sys.stdout, sys.stderr):
                if hasattr(stream, "set_parent"):
                    stream.set_parent(parent)
        except Exception:
            pass
    for name, hook in _SAVED.hooks.items():
        if getattr(sys, name) is not hook:
            setattr(sys, name, hook)
    if _own_builtins() != _SAVED.builtins:
        table = vars(builtins)
        for name in [n for n in _own_builtins() if n not in _SAVED.builtins]:
            del table[name]
        table.update(_SAVED.builtins)
    if _SAVED.cwd is not None:
        try:
            if os.getcwd() != _SAVED.cwd:
                os.chdir(_SAVED.cwd)
        except OSError:
            with contextlib.suppress(OSError):
                os.chdir(_SAVED.cwd)
    if _SAVED.path is not None and sys.path != _SAVED.path:
        sys.path[:] = _SAVED.path
    if sys.getrecursionlimit() != _SAVED.recursion:
        sys.setrecursionlimit(_SAVED.recursion)
    if _SAVED.filters is not None and warnings.filters != _SAVED.filters:
        warnings.filters[:] = _SAVED.filters
        with contextlib.suppress(Exception):
            warnings._filters_mutated()
    if _SAVED.environ is not None and dict(os.environ) != _SAVED.environ:
        for name in [n for n in os.environ if n not in _SAVED.environ]:
            del os.environ[name]
        os.environ.update(_SAVED.environ)
    if _SAVED.logging is not None:
        with contextlib.suppress(Exception):
            _restore_logging(_SAVED.logging)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if _SAVED.numpy_print is None:
            _SAVED.numpy_print = numpy.get_printoptions()
        elif numpy.get_printoptions() != _SAVED.numpy_print:
            numpy.set_printoptions(**_SAVED.numpy_print)
    with contextlib.suppress(Exception):
        _hooks().reset()


# -- startup and probing ---------------------------------------------------------


def _reset_budget(*_args):  # type: ignore[no-untyped-def]
    for stream in [*_SAVED.streams.values(), sys.stdout, sys.stderr]:
        if isinstance(stream, _CappedStream):
            stream.used = 0


def _leave_device(*_args):  # type: ignore[no-untyped-def]
    if _FRAMEWORK[0] is not None:
        _hooks().leave_device()


def _enter_device(*_args):  # type: ignore[no-untyped-def]
    if _FRAMEWORK[0] is not None and _DEVICE[0] is not None:
        with contextlib.suppress(Exception):
            _hooks().enter_device(*_DEVICE[0])


_DEVICE = [None]  # (kind, index) of the last bind, for frameworks with a placement scope


def _framework_version(name):  # type: ignore[no-untyped-def]
    module = sys.modules.get(name)
    return getattr(module, "__version__", None) if module is not None else None


#: Set in a warm kernel's environment: seconds without a request before it exits by itself.
IDLE_VARIABLE = "FWCHEAT_IDLE_TIMEOUT"


def _watch_idle(timeout):  # type: ignore[no-untyped-def]
    """Exit the kernel after ``timeout`` seconds without an execute request.

    A warm kernel outlives the fwcheat that started it, so it cannot rely on
    being told to stop: a thread watches the time since the last request
    began or ended and ends the process (and the children it started). A
    run that is still going counts as activity for six timeouts, then the
    kernel gives up on it too: nothing lingers.
    """
    import signal
    import threading
    import time

    state = {"last": time.monotonic(), "busy": False}

    def began(*_args):  # type: ignore[no-untyped-def]
        state["busy"], state["last"] = True, time.monotonic()

    def ended(*_args):  # type: ignore[no-untyped-def]
        state["busy"], state["last"] = False, time.monotonic()

    ip = get_ipython()
    ip.events.register("pre_execute", began)
    ip.events.register("post_execute", ended)

    def watch():  # type: ignore[no-untyped-def]
        step = min(5.0, max(0.1, timeout / 10.0))
        while True:
            time.sleep(step)
            limit = timeout * 6 if state["busy"] else timeout
            if time.monotonic() - state["last"] > limit:
                with contextlib.suppress(Exception):
                    sys.__stderr__.write("fwcheat: idle for %gs; the kernel exits\n" % timeout)
                with contextlib.suppress(Exception):
                    os.killpg(os.getpgid(0), signal.SIGTERM)  # the children first (loader workers)
                os._exit(0)

    threading.Thread(target=watch, name="fwcheat-idle-exit", daemon=True).start()


def startup(framework, cap):  # type: ignore[no-untyped-def]
    """Import the framework now, so the first snippet does not pay for it."""
    _CAP[0] = cap
    _FRAMEWORK[0] = framework
    idle = os.environ.get(IDLE_VARIABLE)
    if idle and not isinstance(sys.stdout, _CappedStream):
        with contextlib.suppress(ValueError):
            _watch_idle(float(idle))
    if not isinstance(sys.stdout, _CappedStream):
        sys.stdout = _CappedStream(sys.stdout, _CAP)
        sys.stderr = _CappedStream(sys.stderr, _CAP)
        ip = get_ipython()
        ip.events.register("pre_execute", _reset_budget)
        ip.events.register("pre_run_cell", _enter_device)
        ip.events.register("post_run_cell", _leave_device)
        ip.input_transformers_post.append(prepare_transformer)
    try:
        _hooks().load()
    except Exception as exc:
        _save_state()
        return json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)})
    _save_state()
    return json.dumps({"ok": True})


def probe(framework, modules=("torch", "mxnet", "tensorflow", "keras", "numpy")):  # type: ignore[no-untyped-def]
    """What this kernel has: interpreter, package versions, GPUs.

    Only the kernel's own framework is imported (by :func:`startup`); the other
    packages are looked up in the installed metadata, which imports nothing.
    """
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8
        metadata = None
    info = {"python": sys.version.split()[0], "executable": sys.executable}
    for name in modules:
        version = _framework_version(name)
        if version is None and metadata is not None:
            try:
                version = metadata.version(name)
            except Exception:
                version = None
        info[name] = version
    try:
        info["gpus"] = _hooks(framework).gpus()
    except Exception as exc:
        info["gpus"] = 0
        info["gpus_error"] = "%s: %s" % (type(exc).__name__, exc)
    return json.dumps(info)


def clear_namespace():  # type: ignore[no-untyped-def]
    """Empty the user namespace, like ``%reset -f`` but without its cost.

    ``%reset`` also rewrites the history database and runs ``gc.collect()``,
    which takes a quarter of a second once torch is loaded; a fresh namespace
    per snippet needs neither. IPython's own names (``In``, ``Out``,
    ``get_ipython``...) are kept; the output cache is emptied. The global
    state a snippet may have changed is put back (:func:`restore_state`).
    """
    ip = get_ipython()
    ns, hidden = ip.user_ns, ip.user_ns_hidden
    for name in list(ns):
        if name not in hidden and not name.startswith("__"):
            del ns[name]
    out = ns.get("Out")
    if isinstance(out, dict):
        out.clear()
    for name in ("_", "__", "___"):
        ns[name] = ""
    restore_state()


def bind(framework, kind, index, fresh=False, cwd=None):  # type: ignore[no-untyped-def]
    """Define the framework's device variable in the user namespace.

    ``kind`` is ``cpu``, ``gpu`` or ``auto``; with ``fresh`` the namespace is
    emptied first (and the interpreter's state put back). Frameworks with a
    placement scope (TensorFlow, Keras) also run the following cells with the
    device as their default. Returns JSON: the device used and the GPU count,
    or an error naming what is available. ``cwd`` is the caller's working
    directory: a warm kernel serves commands started from anywhere, and a
    snippet's relative paths are the caller's.
    """
    if fresh:
        clear_namespace()
    if cwd and os.path.isdir(cwd):
        with contextlib.suppress(OSError):
            os.chdir(cwd)
            _SAVED.cwd = cwd  # what the next restore goes back to
    hooks = _hooks(framework)
    try:
        gpus = hooks.gpus()
    except Exception as exc:
        return json.dumps({"error": "cannot load %s: %s: %s" % (framework, type(exc).__name__, exc)})
    if kind == "auto":
        kind, index = ("gpu", 0) if gpus else ("cpu", 0)
    if kind == "gpu" and index >= gpus:
        names = [hooks.device_name("gpu", i) for i in range(gpus)]
        return json.dumps(
            {
                "error": "%s asked for, but %s sees %d GPU%s; available: %s"
                % (
                    hooks.device_name("gpu", index),
                    hooks.label,
                    gpus,
                    "" if gpus == 1 else "s",
                    ", ".join([hooks.device_name("cpu", 0), *names]),
                ),
                "gpus": gpus,
            }
        )
    ns = get_ipython().user_ns
    ns[hooks.device_var] = hooks.device_value(kind, index)
    _DEVICE[0] = (kind, index)
    hooks.enter_device(kind, index)
    return json.dumps({"bound": {hooks.device_var: str(ns[hooks.device_var])}, "gpus": gpus})


#: First line of a cell that asks for :func:`bind` before the cell runs.
PREPARE_MARK = "#fwcheat:prepare "


class DeviceUnavailable(RuntimeError):
    """The device asked for is not there (raised in place of the snippet)."""


def prepare_transformer(lines):  # type: ignore[no-untyped-def]
    """Run :func:`bind` for a cell that starts with :data:`PREPARE_MARK`.

    Registered as an IPython input transformer, so the fresh namespace and the
    device are set up inside the same execute request as the snippet (one
    round trip, not two). The marker line is dropped, so line numbers in
    tracebacks are the snippet's own. If the device is not there, the cell is
    replaced by a ``raise DeviceUnavailable(...)``.
    """
    if not lines or not lines[0].startswith(PREPARE_MARK):
        return lines
    try:
        args = json.loads(lines[0][len(PREPARE_MARK) :])
        answer = json.loads(bind(*args))
    except Exception as exc:
        answer = {"error": "fwcheat could not prepare the kernel: %s: %s" % (type(exc).__name__, exc)}
    if "error" in answer:
        return ["raise __import__(%r).DeviceUnavailable(%r)\n" % (__name__, answer["error"])]
    return lines[1:]


# -- values for comparison -------------------------------------------------------


def _plain(array):  # type: ignore[no-untyped-def]
    """NumPy data with a dtype every NumPy reads (bfloat16 becomes float32)."""
    import numpy

    array = numpy.asarray(array)
    if array.dtype.name == "bfloat16":
        array = array.astype(numpy.float32)
    return array


def _to_numpy(value):  # type: ignore[no-untyped-def]
    import numpy

    for hooks in HOOKS.values():
        array = hooks.to_numpy(value)
        if array is not None:
            return _plain(array)
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, float, bool)):
        return numpy.asarray([_to_numpy(v) for v in value])
    return _plain(value)


def fetch(name):  # type: ignore[no-untyped-def]
    """A variable of the user namespace as base64 ``.npy`` (inside JSON)."""
    ns = get_ipython().user_ns
    if name not in ns:
        return json.dumps({"error": "missing", "message": "%s is not defined" % name})
    value = ns[name]
    kind = type(value).__module__ + "." + type(value).__name__
    try:
        array = _to_numpy(value)
    except Exception as exc:
        return json.dumps(
            {"error": "non-numeric", "type": kind, "message": "%s: %s" % (type(exc).__name__, exc)}
        )
    if array.dtype.kind not in "biufc":
        return json.dumps({"error": "non-numeric", "type": kind, "message": "dtype %s" % array.dtype})
    buffer = io.BytesIO()
    import numpy

    numpy.save(buffer, array, allow_pickle=False)
    return json.dumps({"type": kind, "npy": base64.b64encode(buffer.getvalue()).decode("ascii")})
