"""One launch of a local sandbox's command: the "sandbox built" pipe and the seccomp program passed
in, a session of its own with the caller's priority, output drained and capped, a timer that kills
the process group at the timeout."""

from __future__ import annotations

import os
import subprocess
import threading

from arena.sandbox import seccomp
from arena.sandbox.limits import Limiter, inherit_priority


def launch(argv_for, *, limiter: Limiter, isolation: str, env, cwd, timeout, output_limit):
    """One launch: (proc, stdout, stderr, timed_out, started).

    ``started`` says the sandbox was built and the command ran: a shell inside the finished
    sandbox writes one byte to a pipe and closes it before it runs the command, so a set-up
    failure of bubblewrap cannot be faked by a command that prints "bwrap: …" and exits 1.
    """
    fds: dict[str, int] = {}
    close: list[int] = []
    started_r = None
    if isolation == "bwrap":
        started_r, started_w = os.pipe()
        fds["started"] = started_w
        close.append(started_w)
        if seccomp.supported():
            fds["seccomp"] = os.open(seccomp.program_file(), os.O_RDONLY)
            close.append(fds["seccomp"])
    try:
        proc = subprocess.Popen(
            limiter.wrap(argv_for(fds)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
            start_new_session=True,
            pass_fds=tuple(fds.values()),
        )
    finally:
        for fd in close:
            os.close(fd)
    inherit_priority(proc.pid)  # a new session is a new autogroup: keep a background caller's nice
    out, err = _Capped(proc.stdout, output_limit), _Capped(proc.stderr, output_limit)
    built = _Capped(os.fdopen(started_r, "rb"), 64) if started_r is not None else None
    # a blocking wait plus a timer (Popen.wait(timeout=) polls with sleeps up to 50 ms)
    fired = threading.Event()

    def on_timeout() -> None:
        fired.set()
        _kill(proc, limiter)

    timer = threading.Timer(timeout, on_timeout) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    proc.wait()
    if timer:
        timer.cancel()
    limiter.kill_all()  # anything the command left running (isolation=none)
    out.join(), err.join()
    started = True
    if built is not None:
        built.join()
        started = bytes(built.buf) == b"."
    return proc, out, err, fired.is_set(), started


def _kill(proc: subprocess.Popen, limiter: Limiter) -> None:
    try:
        os.killpg(proc.pid, 9)
    except ProcessLookupError:
        pass
    limiter.kill_all()


class _Capped:
    """Drain a pipe in a thread, keeping at most ``limit`` bytes (the rest is discarded)."""

    def __init__(self, stream, limit: int):
        self.buf = bytearray()
        self.limit = limit
        self.truncated = False
        self.t = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.t.start()

    def _run(self, stream) -> None:
        for chunk in iter(lambda: stream.read(65536), b""):
            room = self.limit - len(self.buf)
            if room > 0:
                self.buf += chunk[:room]
            if len(chunk) > max(room, 0):
                self.truncated = True
        stream.close()

    def join(self) -> None:
        self.t.join(timeout=10)

    def text(self) -> str:
        return self.buf.decode("utf-8", errors="replace")
