"""Code that runs inside each kernel, not in fwcheat's own process.

:func:`startup_code` sends this file's source to a kernel, which installs it as
the module ``_fwcheat_kernel``. It survives ``%reset -f``, so every snippet can
start from a fresh namespace and still get ``device`` / ``ctx`` defined and
its values fetched for comparison. The kernel may be another interpreter (a
legacy MXNet environment) without fwcheat installed, so this file uses only
the standard library and whatever framework is importable there, and keeps to
syntax that old Pythons accept.
"""

# %-formatting on purpose: this source must also run on old legacy interpreters.
# ruff: noqa: UP031

import base64
import io
import json
import sys

from IPython import get_ipython

_CAP = [1_001_000]  # characters per stream per run, before the client's own cap


class _CappedStream:
    """Drops writes past a per-run budget so a flood never leaves the kernel."""

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

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._stream, name)


def _reset_budget(*_args):  # type: ignore[no-untyped-def]
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, _CappedStream):
            stream.used = 0


def _framework_version(name):  # type: ignore[no-untyped-def]
    module = sys.modules.get(name)
    return getattr(module, "__version__", None) if module is not None else None


def startup(framework, cap):  # type: ignore[no-untyped-def]
    """Import the framework now, so the first snippet does not pay for it."""
    _CAP[0] = cap
    if not isinstance(sys.stdout, _CappedStream):
        sys.stdout = _CappedStream(sys.stdout, _CAP)
        sys.stderr = _CappedStream(sys.stderr, _CAP)
        ip = get_ipython()
        ip.events.register("pre_execute", _reset_budget)
        ip.input_transformers_post.append(prepare_transformer)
    try:
        if framework == "pytorch":
            import torch  # noqa: F401
        elif framework == "mxnet":
            import mxnet  # noqa: F401
    except Exception as exc:
        return json.dumps({"error": "%s: %s" % (type(exc).__name__, exc)})
    return json.dumps({"ok": True})


def _gpu_count(framework):  # type: ignore[no-untyped-def]
    if framework == "pytorch":
        import torch

        return torch.cuda.device_count() if torch.cuda.is_available() else 0
    import mxnet

    return int(mxnet.context.num_gpus())


def probe(framework):  # type: ignore[no-untyped-def]
    """What this kernel has: interpreter, package versions, GPUs.

    Only the kernel's own framework is imported (by :func:`startup`); the other
    packages are looked up in the installed metadata, which imports nothing.
    """
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8
        metadata = None
    info = {"python": sys.version.split()[0], "executable": sys.executable}
    for name in ("torch", "mxnet", "numpy"):
        version = _framework_version(name)
        if version is None and metadata is not None:
            try:
                version = metadata.version(name)
            except Exception:
                version = None
        info[name] = version
    try:
        info["gpus"] = _gpu_count(framework)
    except Exception as exc:
        info["gpus"] = 0
        info["gpus_error"] = "%s: %s" % (type(exc).__name__, exc)
    return json.dumps(info)


def clear_namespace():  # type: ignore[no-untyped-def]
    """Empty the user namespace, like ``%reset -f`` but without its cost.

    ``%reset`` also rewrites the history database and runs ``gc.collect()``,
    which takes a quarter of a second once torch is loaded; a fresh namespace
    per snippet needs neither. IPython's own names (``In``, ``Out``,
    ``get_ipython``...) are kept; the output cache is emptied.
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


def bind(framework, kind, index, fresh=False):  # type: ignore[no-untyped-def]
    """Define ``device`` / ``ctx`` in the user namespace for the chosen device.

    ``kind`` is ``cpu``, ``gpu`` or ``auto``; with ``fresh`` the namespace is
    emptied first. Returns JSON: the device used and the GPU count, or an
    error naming what is available.
    """
    if fresh:
        clear_namespace()
    try:
        gpus = _gpu_count(framework)
    except Exception as exc:
        return json.dumps({"error": "cannot load %s: %s: %s" % (framework, type(exc).__name__, exc)})
    if kind == "auto":
        kind, index = ("gpu", 0) if gpus else ("cpu", 0)
    if kind == "gpu" and index >= gpus:
        if framework == "pytorch":
            names = ["cuda:%d" % i for i in range(gpus)]
            what = "PyTorch sees %d CUDA GPU%s" % (gpus, "" if gpus == 1 else "s")
            asked = "cuda:%d" % index
        else:
            names = ["gpu(%d)" % i for i in range(gpus)]
            what = "MXNet sees %d GPU%s" % (gpus, "" if gpus == 1 else "s")
            asked = "gpu(%d)" % index
        return json.dumps(
            {
                "error": "%s asked for, but %s; available: %s" % (asked, what, ", ".join(["cpu", *names])),
                "gpus": gpus,
            }
        )
    ns = get_ipython().user_ns
    names = {}
    if "torch" in sys.modules:
        import torch

        ns["device"] = torch.device("cuda:%d" % index if kind == "gpu" else "cpu")
        names["device"] = str(ns["device"])
    if "mxnet" in sys.modules:
        import mxnet

        ns["ctx"] = mxnet.gpu(index) if kind == "gpu" else mxnet.cpu()
        names["ctx"] = str(ns["ctx"])
    return json.dumps({"bound": names, "gpus": gpus})


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


def _to_numpy(value):  # type: ignore[no-untyped-def]
    import numpy

    if hasattr(value, "detach") and hasattr(value, "cpu"):  # torch.Tensor
        tensor = value.detach().cpu()
        if str(tensor.dtype) == "torch.bfloat16":
            tensor = tensor.float()
        return tensor.numpy()
    if hasattr(value, "asnumpy"):  # mxnet NDArray / np.ndarray
        return value.asnumpy()
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, float, bool)):
        return numpy.asarray([_to_numpy(v) for v in value])
    return numpy.asarray(value)


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
