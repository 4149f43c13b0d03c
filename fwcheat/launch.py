"""The `fwcheat` command's first step: a plain `fwcheat run` goes to the resident run helper.

The installed ``fwcheat`` script calls :func:`main`. For ``fwcheat run``, when
the resident helper (:mod:`fwcheat.resident`) is listening in the private
runtime folder, this hands it the command line, environment, working directory
and the three standard streams (as file descriptors over its Unix socket), and
exits with the status it answers; the helper writes into this process's own
streams. Everything else, and any run the helper declines or cannot take, goes
to :func:`fwcheat.cli.main` in this process, as before.

Only built-in modules are imported before that hand-over (no ``re``, ``socket``
or ``signal``, whose enums alone cost more than the helper's whole answer, and
not even ``__future__``).
``FWCHEAT_RESIDENT=0`` (or ``FWCHEAT_QUICK_RUN=0``) keeps every run in this process.
"""

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

#: Bumped whenever the request or the answer changes shape.
PROTOCOL = 1
#: The helper's files in the runtime folder: ``resident.sock``, ``.lock``, ``.json``.
NAME = "resident"
#: Seconds a cancelled run may take to be stopped and answered for, before the command gives up on it.
CANCEL_WAIT = 10.0
#: The environment variable that keeps every run in the calling process.
DISABLE_ENV = "FWCHEAT_RESIDENT"

#: True once this process asked for the helper and found none (see :func:`start_helper`).
missing = False


def identity(path: "Sequence[str] | None" = None) -> tuple[str, str, str, tuple[str, ...]]:
    """What must match between the command and the helper: fwcheat, the Python and its import path.

    ``path`` is the import path without the entry its script or ``-m`` put first (by default,
    this process's).
    """
    from fwcheat import __version__

    return (__version__, sys.prefix, sys.version, tuple(sys.path[1:] if path is None else path))


def socket_path() -> str | None:
    """The helper's socket, when the runtime folder is this user's and private; else None."""
    from fwcheat.paths import runtime_dir

    folder = runtime_dir()
    try:
        st = os.stat(folder)
    except OSError:
        return None
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        return None  # never hand the environment to a folder someone else can write
    return os.path.join(folder, NAME + ".sock")


def _enabled(environ: "os._Environ[str] | dict[str, str]") -> bool:
    return (
        environ.get(DISABLE_ENV, "").strip() != "0"
        and environ.get("FWCHEAT_QUICK_RUN", "").strip() != "0"
        and sys.platform.startswith("linux")
    )


def main(argv: "Sequence[str] | None" = None) -> int:
    """The ``fwcheat`` command."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["run"] and _enabled(os.environ):
        status = ask_resident(arguments)
        if status is not None:
            return status
    from fwcheat.cli import main as cli_main

    status = cli_main(arguments)
    if missing and "--fresh" not in arguments:
        start_helper()
    return status


def start_helper() -> None:
    """Start the helper in the background when this run found none and left warm kernels.

    Never waits for it and never fails: the next command finds it, or runs by itself.
    """
    from fwcheat.kernels.warm import any_warm_kernel

    path = socket_path()
    if path is None or not any_warm_kernel(os.path.dirname(path)):
        return
    code = "import sys; del sys.path[0]; from fwcheat.resident import main; sys.exit(main())"
    try:  # noqa: SIM105  (contextlib is not imported on this path)
        os.posix_spawn(
            sys.executable,
            [sys.executable, "-c", code],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDWR, 0),
                (os.POSIX_SPAWN_DUP2, 0, 1),
                (os.POSIX_SPAWN_DUP2, 0, 2),
            ],
            setsid=True,
        )
    except OSError:
        pass


def ask_resident(arguments: list[str]) -> int | None:
    """The exit status of ``fwcheat ARGUMENTS`` run by the helper; None when this process must run it."""
    global missing
    import _socket

    path = socket_path()
    if path is None:
        missing = True  # no private runtime folder yet: the run that makes one starts a helper
        return None
    connection = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        try:
            connection.connect(path)
        except OSError:
            missing = True
            return None
        credentials = connection.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
        if int.from_bytes(credentials[4:8], sys.byteorder) != os.getuid():
            return None  # the helper must be this user's own process
        return _exchange(connection, arguments)
    except OSError:
        return None
    finally:
        connection.close()


def _streams() -> tuple[tuple[str, str, bool], ...]:
    """(encoding, errors, line buffering) of stdout and stderr, for the helper to open the same."""
    described = []
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            raise OSError("no standard stream")
        described.append(
            (
                str(getattr(stream, "encoding", None) or "utf-8"),
                str(getattr(stream, "errors", None) or "strict"),
                bool(getattr(stream, "line_buffering", False)),
            )
        )
    return tuple(described)


def _exchange(connection: object, arguments: list[str]) -> int | None:
    import _signal
    import _socket
    import marshal

    assert isinstance(connection, _socket.socket)
    try:
        cwd = os.getcwd()
    except OSError:
        return None  # the folder is gone: this process explains
    request = marshal.dumps((PROTOCOL, identity(), arguments, cwd, dict(os.environ), _streams()))
    descriptors = b"".join(fd.to_bytes(4, sys.byteorder, signed=True) for fd in (0, 1, 2))
    connection.sendmsg(
        [len(request).to_bytes(4, "big") + request],
        [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, descriptors)],
    )

    def interrupted(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: _signal.signal(sig, interrupted) for sig in (_signal.SIGTERM, _signal.SIGHUP)}
    try:
        try:
            answer = _read_answer(connection)
        except KeyboardInterrupt:
            # Tell the helper to stop the run (it stops a busy kernel, as this process would)
            # and wait a little for it to say so; a second interrupt leaves at once.
            try:
                connection.shutdown(_socket.SHUT_WR)
                connection.settimeout(CANCEL_WAIT)
                answer = _read_answer(connection)
            except (KeyboardInterrupt, OSError):
                answer = None
            if answer is None or answer[0] is None:
                print("interrupted", file=sys.stderr)
                return 130
    finally:
        for sig, handler in previous.items():
            _signal.signal(sig, handler)
    if answer is None:
        # The helper took the run and ended without an answer: say so rather than run it twice.
        print(
            f"fwcheat: the resident run helper stopped without an answer; run the command again "
            f"(or set {DISABLE_ENV}=0 to run it in this process)",
            file=sys.stderr,
        )
        return 1
    status = answer[0]
    return None if status is None else int(status)


def _read_answer(connection: object) -> tuple[int | None] | None:
    """The helper's answer, ``(status,)`` with None for declined; None if it closed without one."""
    import marshal

    chunks = []
    while True:
        chunk = connection.recv(4096)  # type: ignore[attr-defined]
        if not chunk:
            break
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data:
        return None
    answer = marshal.loads(data)
    if not isinstance(answer, tuple) or len(answer) != 1:
        return None
    return answer
