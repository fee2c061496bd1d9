"""A simulated serial barcode scanner on a pseudo-terminal pair.

The gateway opens :attr:`SimulatedScanner.path`, a symlink that mimics a udev
``/dev/serial/by-id/...`` name and always points at the current pty slave. The
simulator writes frames to the pty master, as a scanner would on its serial line.
:meth:`SimulatedScanner.unplug` closes the master (the reader then gets an I/O error,
like a pulled USB cable) and :meth:`SimulatedScanner.replug` creates a fresh pty and
repoints the symlink.

Threading: one owner thread drives a simulator; it is not thread-safe.
"""

from __future__ import annotations

import os
import select
import tempfile
import time
import tty
from collections.abc import Iterable
from pathlib import Path


class SimulatedScanner:
    """Pty-backed scanner. Use as a context manager or call :meth:`close`.

    Args:
        link_dir: directory for the stable symlink (a temporary one if None).
        name: symlink name, by-id style.
        terminator: bytes sent after each code.
    """

    def __init__(
        self,
        link_dir: str | Path | None = None,
        name: str = "usb-Sim_Barcode_Scanner_0001-if00",
        terminator: bytes = b"\r",
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if link_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="sim-scanner-")
            link_dir = self._tmp.name
        self.path = str(Path(link_dir) / name)
        self.terminator = terminator
        self._master: int | None = None
        self._slave: int | None = None
        self.plug()

    def __enter__(self) -> SimulatedScanner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def plugged(self) -> bool:
        return self._master is not None

    @property
    def slave_path(self) -> str:
        """The current pty slave device (changes on every replug)."""
        return os.readlink(self.path)

    def plug(self) -> None:
        """Create a pty pair (raw mode) and point the symlink at its slave."""
        if self._master is not None:
            return
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)  # no echo/line editing before the reader configures it
        self._master, self._slave = master, slave
        tmp_link = f"{self.path}.tmp"
        if os.path.lexists(tmp_link):
            os.unlink(tmp_link)
        os.symlink(os.ttyname(slave), tmp_link)
        os.replace(tmp_link, self.path)

    def unplug(self, partial: bytes = b"", settle: float = 0.1) -> None:
        """Send ``partial`` (a frame cut short), wait ``settle`` s so the reader has
        read it, then close the pty as a pulled cable would; the symlink goes away too."""
        if partial:
            self.write(partial)
            time.sleep(settle)
        if os.path.lexists(self.path):
            os.unlink(self.path)  # as udev removes the by-id link of a pulled device
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    def replug(self) -> None:
        """A new pty behind the same symlink path."""
        self.unplug()
        self.plug()

    def write(self, data: bytes) -> None:
        """Write raw bytes on the line."""
        if self._master is None:
            raise OSError("simulated scanner is unplugged")
        view = memoryview(data)
        while view:
            n = os.write(self._master, view)
            view = view[n:]

    def type(self, code: str, aim: str | None = None) -> None:
        """Send one read: optional AIM id, the code, the terminator."""
        self.write(((aim or "") + code).encode("ascii") + self.terminator)

    def type_many(
        self, codes: Iterable[str], rate: float = 10.0, aim: str | None = None
    ) -> None:
        """Send reads at ``rate`` per second (``0`` = as fast as possible)."""
        interval = 1.0 / rate if rate > 0 else 0.0
        start = time.monotonic()
        for i, code in enumerate(codes):
            delay = start + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.type(code, aim)

    def fileno(self) -> int:
        """The pty master: the scanner's side of the line (host commands arrive here).

        Raises:
            OSError: unplugged.
        """
        if self._master is None:
            raise OSError("simulated scanner is unplugged")
        return self._master

    def read_host(self, timeout: float = 1.0, settle: float = 0.05) -> bytes:
        """Bytes the host wrote to the scanner (beep/LED commands) within timeout."""
        if self._master is None:
            return b""
        out = b""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self._master], [], [], min(left, settle))
            if not ready:
                if out:
                    break
                continue
            out += os.read(self._master, 4096)
        return out

    def close(self) -> None:
        """Unplug (which removes the symlink) and remove the temporary directory."""
        self.unplug()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
