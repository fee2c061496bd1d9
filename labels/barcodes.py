"""Code 128 symbols as bar runs, and the module width used on each layout.

python-barcode computes the module string of a symbol (``1`` = dark module, ``0`` =
light, start, check and stop characters included); this module turns it into runs of
dark modules, which :mod:`labels.cells` draws as filled vector rectangles (no raster
images anywhere).

Scan reliability rules:

* **Accepted codes** are printable ASCII without spaces (``!`` to ``~``). Code 128 can
  carry control characters, but keyboard-wedge scanners would type them as Tab, Enter
  and so on, so they are refused like non-ASCII characters: names go in the text, never
  in the barcode.
* **Quiet zones** of at least :data:`QUIET_ZONE_MODULES` (10) modules on each side,
  inside the label's padded area, so the label's die-cut edge never eats them.
* **Module width (X-dimension)** is the widest whole number of printer dots that fits
  the symbol and its quiet zones in the label width, capped by the layout's
  ``max_module_mm``. It is never below :data:`MIN_MODULE_MM` = **0.25 mm** (about
  10 mil): 3 dots at 300 dpi (0.254 mm), 2 dots at 203 dpi (0.250 mm). A code too long
  for that on a given label raises :class:`BarcodeError` instead of printing a symbol
  that would scan badly. An 11-character identifier such as ``BX00012345W`` is 134
  modules: 0.339 mm on Avery L7160, 0.25 mm on a 57 x 32 mm thermal label.
"""

import math
import re
from functools import lru_cache

from barcode import Code128
from barcode.charsets import code128 as _charsets

from .errors import BarcodeError

QUIET_ZONE_MODULES = 10
"""Light modules kept free on each side of the symbol (ISO/IEC 15417 minimum)."""

MIN_MODULE_MM = 0.25
"""Narrowest module (X-dimension) ever printed, in millimetres."""

_GROUPED = re.compile(r"^([A-Z]{2})([0-9A-Z]{4,})([0-9A-Z*])$")
_BARS = re.compile("1+")
_START_C = 105
_SWITCH_TO_C = 99
_VALUES = {pattern: value for value, pattern in enumerate(_charsets.CODES)}
_START_SETS = {103: "A", 104: "B", 105: "C"}
_SWITCHES = {
    "A": {99: "C", 100: "B"},
    "B": {99: "C", 101: "A"},
    "C": {100: "B", 101: "A"},
}
_PRINTABLE = frozenset(chr(c) for c in range(0x21, 0x7F))


def validate_code(code: str) -> None:
    """Check that ``code`` can be printed as a Code 128 symbol.

    Raises:
        BarcodeError: empty code, or a character outside printable ASCII (non-ASCII
            letters, spaces, control characters); the message names the code, the
            character and its position.
    """
    if not code:
        raise BarcodeError("empty barcode: nothing to encode")
    for position, char in enumerate(code, start=1):
        if char not in _PRINTABLE:
            raise BarcodeError(
                f"barcode {code!r} cannot be printed as Code 128: character "
                f"{char!r} (U+{ord(char):04X}) at position {position} is not "
                "printable ASCII"
            )


class _Code128(Code128):  # type: ignore[misc]
    """python-barcode 0.16's Code128 with its start-code folding fixed.

    It starts in set C and folds "start C + switch" into a single start code, but it
    also folds the *data* pair ``99`` (same value as "switch to C"): ``"99A"`` was
    encoded as ``"A"``. Only fold a switch, never set C data.
    """

    def _try_to_optimize(self, encoded: list[int]) -> list[int]:
        if encoded[0] == _START_C and encoded[1] == _SWITCH_TO_C:
            return encoded
        optimized: list[int] = super()._try_to_optimize(encoded)
        return optimized


@lru_cache(maxsize=65536)
def code128_modules(code: str) -> str:
    """Return the module string of ``code`` (quiet zones excluded).

    The symbol is decoded back and compared with ``code`` before use, so an
    encoder bug can never print a label that scans as something else.

    Raises:
        BarcodeError: see :func:`validate_code`.
    """
    validate_code(code)
    modules: str = _Code128(code).build()[0]
    if decode_modules(modules) != code:
        raise BarcodeError(f"barcode {code!r}: Code 128 encoder self-check failed")
    return modules


def decode_modules(modules: str) -> str | None:
    """Decode a module string (printable ASCII data only); None if invalid."""
    values = [_VALUES.get(modules[i : i + 11]) for i in range(0, len(modules) - 13, 11)]
    if None in values or len(values) < 2:
        return None
    symbols = [v for v in values if v is not None]
    body = symbols[1:-1]
    checksum = (symbols[0] + sum(i * v for i, v in enumerate(body, 1))) % 103
    if checksum != symbols[-1] or symbols[0] not in _START_SETS:
        return None
    return _text(_START_SETS[symbols[0]], body)


def _text(charset: str, values: list[int]) -> str | None:
    out: list[str] = []
    for value in values:
        if charset == "C" and value < 100:
            out.append(f"{value:02d}")
        elif value in _SWITCHES.get(charset, {}):
            charset = _SWITCHES[charset][value]
        elif value < (96 if charset == "B" else 64):
            out.append(chr(value + 32))
        else:
            return None
    return "".join(out)


def bar_runs(modules: str) -> tuple[tuple[int, int], ...]:
    """Return ``(first module, width in modules)`` for each dark bar of ``modules``."""
    return tuple((m.start(), m.end() - m.start()) for m in _BARS.finditer(modules))


@lru_cache(maxsize=65536)
def symbol_runs(code: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """Return the symbol's width in modules and its bar runs (cached per code)."""
    modules = code128_modules(code)
    return len(modules), bar_runs(modules)


def module_width_mm(
    code: str, available_mm: float, *, dpi: float, max_mm: float, where: str = ""
) -> float:
    """Choose the X-dimension of ``code`` for a space ``available_mm`` wide.

    The result is a whole number of printer dots at ``dpi``, at most ``max_mm`` and
    leaves :data:`QUIET_ZONE_MODULES` on each side inside ``available_mm``.

    Raises:
        BarcodeError: even :data:`MIN_MODULE_MM` does not fit; names the code, the
            width it needs and ``where`` (e.g. the layout).
    """
    modules, _ = symbol_runs(code)
    total = modules + 2 * QUIET_ZONE_MODULES
    width = _whole_dots(total, available_mm, dpi, max_mm)
    if width < MIN_MODULE_MM - 1e-9:
        dot_mm = 25.4 / dpi
        need = total * math.ceil(MIN_MODULE_MM / dot_mm - 1e-9) * dot_mm
        place = f" on {where}" if where else ""
        raise BarcodeError(
            f"barcode {code!r} is too long to print{place}: {total} modules with "
            f"quiet zones need {need:.1f} mm at X = {MIN_MODULE_MM} mm, only "
            f"{available_mm:.1f} mm available; use a wider layout"
        )
    return width


@lru_cache(maxsize=1024)
def _whole_dots(total: int, available_mm: float, dpi: float, max_mm: float) -> float:
    """Widest module of whole printer dots fitting ``total`` modules and ``max_mm``."""
    dot_mm = 25.4 / dpi
    dots = min(available_mm / total, max_mm) / dot_mm
    return int(dots + 1e-9) * dot_mm


def human_readable(code: str) -> str:
    """Group an identifier for typing: ``BX00012345W`` -> ``BX 0001 2345 W``.

    Codes that are not prefix + alphanumeric body + check character (e.g. command
    codes such as ``CMD-SHELVE``) are returned unchanged.
    """
    match = _GROUPED.match(code)
    if match is None:
        return code
    prefix, body, check = match.groups()
    groups = [body[i : i + 4] for i in range(0, len(body), 4)]
    return " ".join([prefix, *groups, check])
