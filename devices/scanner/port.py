"""Serial port adapter (the only module importing pyserial) and a supervised reader.

Ports open **by URL**: a device path (preferably a udev ``/dev/serial/by-id/...``
symlink or a pty slave path), ``loop://`` (echoes writes, for framing tests) or
``socket://host:port`` (network scanners). pyserial errors are translated into the
exceptions below; nothing else in ``devices`` sees ``serial``.

Threading: :class:`PortReader` owns one background thread that opens, reads and
reopens the port. It calls ``on_events`` and ``on_status`` **on that thread**; keep
those callbacks short. :meth:`PortReader.write` may be called from any thread.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Literal

import serial

from .frames import Event, FrameDecoder

log = logging.getLogger(__name__)

PortStatus = Literal["connected", "disconnected"]


class ScannerError(Exception):
    """Base class of scanner port errors."""


class ScannerNotFound(ScannerError):
    """The device (path or URL) is not there, e.g. unplugged."""


class PortBusy(ScannerError):
    """Another process holds the exclusive lock on the port."""


class ScannerDisconnected(ScannerError):
    """The device went away while open (unplug, pty master closed) or is not open."""


class AbstractPort(ABC):
    """An open byte stream to one scanner. One reader thread; writes may come from
    another thread."""

    @abstractmethod
    def read(self) -> bytes:
        """Block up to the port timeout; return what arrived (maybe ``b""``).

        Raises:
            ScannerDisconnected: the device went away.
        """

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send host command bytes (beep, LED).

        Raises:
            ScannerDisconnected: the device went away.
        """

    @abstractmethod
    def close(self) -> None:
        """Close the port; idempotent, never raises."""


class SerialPort(AbstractPort):
    """pyserial-backed port (see :func:`open_port`)."""

    def __init__(self, ser: serial.SerialBase) -> None:
        self._ser = ser

    def read(self) -> bytes:
        try:
            waiting = self._ser.in_waiting
            data: bytes = self._ser.read(max(1, waiting))
        except (serial.SerialException, OSError) as exc:
            raise ScannerDisconnected(str(exc)) from exc
        return data

    def write(self, data: bytes) -> None:
        try:
            self._ser.write(data)
            self._ser.flush()
        except (serial.SerialException, OSError) as exc:
            raise ScannerDisconnected(str(exc)) from exc

    def close(self) -> None:
        try:
            self._ser.close()
        except (serial.SerialException, OSError):
            log.debug("error while closing port", exc_info=True)


def open_port(url: str, baudrate: int = 9600, *, timeout: float = 0.05) -> SerialPort:
    """Open a scanner port exclusively, 8N1, by URL, keeping input already waiting.

    Args:
        url: device path, ``/dev/serial/by-id/...``, ``loop://`` or ``socket://h:p``.
        baudrate: line speed (ignored by ``loop://`` and ``socket://``).
        timeout: read timeout in seconds; bounds how fast the reader notices ``stop``.

    Raises:
        PortBusy: another process holds the port.
        ScannerNotFound: the device is absent or cannot be opened.
    """
    try:
        ser = serial.serial_for_url(
            url, baudrate=baudrate, timeout=timeout, write_timeout=1.0, exclusive=True,
            do_not_open=True,
        )  # fmt: skip
        _open_keeping_input(ser)
    except serial.SerialException as exc:
        if "exclusively lock" in str(exc):
            raise PortBusy(str(exc)) from exc
        raise ScannerNotFound(str(exc)) from exc
    except Exception as exc:  # e.g. termios.error from tcsetattr, ValueError on URLs
        raise ScannerNotFound(f"{type(exc).__name__}: {exc}") from exc
    return SerialPort(ser)


def _open_keeping_input(ser: serial.SerialBase) -> None:
    """Open without the input flush pyserial's ``open()`` does (``tcflush`` on POSIX,
    a read-and-drop on ``socket://``).

    Reads the agent typed while no gateway held the port (a restart) wait in the
    line's input buffer; flushing them would drop them without a trace. The flush is
    shadowed on this instance for the duration of ``open()`` only.
    """
    names = [n for n in _FLUSHES if hasattr(ser, n)]
    for name in names:
        setattr(ser, name, _keep)
    try:
        ser.open()
    finally:
        for name in names:
            delattr(ser, name)


_FLUSHES = ("_reset_input_buffer", "reset_input_buffer")


def _keep() -> None:
    return None


Opener = Callable[[str, int], AbstractPort]
EventsCallback = Callable[[list[Event]], None]
StatusCallback = Callable[[PortStatus, str | None], None]


class PortReader:
    """Supervised reader: open, read into a decoder, reopen with capped backoff.

    On unplug the partial frame is flushed as a ``partial_on_close`` discard, status
    ``disconnected`` is reported once, and the port is reopened (backoff doubling from
    ``backoff_min`` to ``backoff_max`` seconds) until the device reappears, then
    ``connected`` is reported again.

    Args:
        url: port URL, see :func:`open_port`.
        baudrate: line speed.
        decoder: frame decoder, used only on the reader thread.
        on_events: called on the reader thread with each non-empty list of events.
        on_status: called on the reader thread on each connection change.
        opener: port factory (tests may pass another :class:`AbstractPort` maker).
    """

    def __init__(
        self,
        url: str,
        baudrate: int,
        decoder: FrameDecoder,
        on_events: EventsCallback,
        on_status: StatusCallback,
        *,
        opener: Opener = open_port,
        backoff_min: float = 0.05,
        backoff_max: float = 2.0,
    ) -> None:
        self.url = url
        self._baudrate = baudrate
        self._decoder = decoder
        self._on_events = on_events
        self._on_status = on_status
        self._opener = opener
        self._backoff = (backoff_min, backoff_max)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._port: AbstractPort | None = None
        self._thread: threading.Thread | None = None
        self.status: PortStatus = "disconnected"

    def start(self) -> None:
        """Start the reader thread (returns at once; the port opens in the thread)."""
        self._thread = threading.Thread(target=self._run, name="scanner-reader")
        self._thread.daemon = True
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and close the port; a partial frame is reported first."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def write(self, data: bytes) -> None:
        """Send host command bytes; any thread.

        Raises:
            ScannerDisconnected: no port open right now, or the write failed.
        """
        with self._lock:
            if self._port is None:
                raise ScannerDisconnected("scanner port is not open")
            self._port.write(data)

    def _run(self) -> None:
        delay = self._backoff[0]
        while not self._stop.is_set():
            try:
                port = self._try_open()
                if port is not None:
                    delay = self._backoff[0]
                    self._detach(port, self._pump(port))
                    continue
            except Exception:  # the supervisor itself must never die
                log.exception("scanner reader step failed on %s", self.url)
            self._stop.wait(delay)
            delay = min(delay * 2, self._backoff[1])

    def _try_open(self) -> AbstractPort | None:
        try:
            port = self._opener(self.url, self._baudrate)
        except ScannerError as exc:
            log.debug("cannot open %s: %s", self.url, exc)
            return None
        with self._lock:
            self._port = port
        self._set_status("connected", None)
        return port

    def _pump(self, port: AbstractPort) -> str | None:
        """Read until stop or unplug; return the disconnect reason (None on stop)."""
        while not self._stop.is_set():
            try:
                data = port.read()
            except ScannerDisconnected as exc:
                return str(exc)
            except Exception as exc:  # unexpected: treat as an unplug, reopen
                log.exception("unexpected read error on %s", self.url)
                return f"{type(exc).__name__}: {exc}"
            if data:
                self._emit(self._decoder.feed(data))
        return None

    def _detach(self, port: AbstractPort, reason: str | None) -> None:
        with self._lock:
            self._port = None
        port.close()
        self._emit(self._decoder.close())
        self._set_status("disconnected", reason or "stopped")

    def _emit(self, events: list[Event]) -> None:
        if not events:
            return
        try:
            self._on_events(events)
        except Exception:  # the reader thread must survive its consumer's bugs
            log.exception("scanner event handler failed")

    def _set_status(self, status: PortStatus, detail: str | None) -> None:
        self.status = status
        log.info("scanner %s %s (%s)", self.url, status, detail or "")
        try:
            self._on_status(status, detail)
        except Exception:
            log.exception("scanner status handler failed")
