"""Per-model scanner profiles: line settings, framing and host commands.

Host commands (good-read / bad-read beep or LED) differ per vendor and many models
accept none. The Honeywell-like and Zebra-like byte strings below follow the shape of
those vendors' serial command sets; check them against the programming guide of the
exact model before relying on them, and add a profile per model actually deployed.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .frames import FrameDecoder, TimestampPrefix, Validator


@dataclass(frozen=True)
class ScannerProfile:
    """How to talk to one scanner model.

    Attributes:
        name: profile key, e.g. ``"generic-cr"``.
        baudrate: line speed (8N1 assumed).
        terminator: frame terminator, one of CR, LF, CRLF, TAB.
        prefix: fixed bytes the scanner sends before each code (often none).
        suffix: fixed bytes sent after the code, before the terminator.
        max_len: longest accepted frame, in bytes, without terminator.
        good_read: host command written after an accepted read, or None.
        bad_read: host command written after a refused read, or None.
    """

    name: str
    baudrate: int = 9600
    terminator: bytes = b"\r"
    prefix: bytes = b""
    suffix: bytes = b""
    max_len: int = 128
    good_read: bytes | None = None
    bad_read: bytes | None = None

    @property
    def signals(self) -> bool:
        """Whether the host can make this scanner signal both good and bad reads."""
        return bool(self.good_read) and bool(self.bad_read)

    def decoder(
        self,
        validator: Validator | None = None,
        timestamp_prefix: TimestampPrefix | None = None,
    ) -> FrameDecoder:
        """Build a fresh frame decoder for this profile."""
        return FrameDecoder(
            terminator=self.terminator,
            prefix=self.prefix,
            suffix=self.suffix,
            max_len=self.max_len,
            validator=validator,
            timestamp_prefix=timestamp_prefix,
        )


GENERIC_CR = ScannerProfile(name="generic-cr")
GENERIC_CRLF = ScannerProfile(name="generic-crlf", terminator=b"\r\n")
HONEYWELL_LIKE = ScannerProfile(
    name="honeywell-like",
    baudrate=115200,
    terminator=b"\r\n",
    # SYN M CR introduces a menu command; "." applies it to the active setting only.
    good_read=b"\x16M\rBEPEXE1.",
    bad_read=b"\x16M\rBEPEXE0.",
)
ZEBRA_LIKE = ScannerProfile(
    name="zebra-like",
    baudrate=9600,
    terminator=b"\r",
    # Simple-serial host beep and LED codes (no SSI packet framing).
    good_read=b"\x1b[BEEP1]\x1b[LEDG]",
    bad_read=b"\x1b[BEEP3]\x1b[LEDR]",
)

PROFILES: MappingProxyType[str, ScannerProfile] = MappingProxyType(
    {p.name: p for p in (GENERIC_CR, GENERIC_CRLF, HONEYWELL_LIKE, ZEBRA_LIKE)}
)
DEFAULT_PROFILE = GENERIC_CR


class SilentProfile(ValueError):
    """A scanner profile that cannot make the scanner signal good and bad reads."""


def require_signals(profile: ScannerProfile) -> None:
    """Refuse a profile without both host beep commands.

    Without a bad-read signal the agent cannot hear that a read was refused and must
    be scanned again: no vendor-neutral serial beep command exists (another vendor's
    bytes are ignored, or taken as configuration), so there is no safe default that
    beeps everywhere, and the station refuses to run silent unless told to.

    Raises:
        SilentProfile: the message names the profiles that do signal.
    """
    if profile.signals:
        return
    loud = ", ".join(sorted(p.name for p in PROFILES.values() if p.signals))
    raise SilentProfile(
        f"scanner profile {profile.name!r} sends no good/bad-read signal, so the agent"
        f" would not hear a refused read; choose a profile that does ({loud}) or add"
        " one for this model, or allow a silent scanner explicitly if it signals by"
        " itself"
    )


def get_profile(name: str) -> ScannerProfile:
    """Return the profile called ``name``.

    Raises:
        KeyError: unknown profile; the message lists the known names.
    """
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise KeyError(f"unknown scanner profile {name!r} (known: {known})") from None
