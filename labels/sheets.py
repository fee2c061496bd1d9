"""Sheet and roll layouts: where each label sits on the page.

Geometry is stored in millimetres, as printed on the label stock's box, and converted
to PDF points (1/72 in) only when drawing. Slots are numbered from 1, row by row from
the top-left label. PDF coordinates have their origin at the bottom-left corner of the
page, so :func:`slot_rect` turns "rows from the top" into "points from the bottom".

Roll layouts (thermal printers) have one label per page and the page is the label.
Always print at 100 % ("actual size"), never "fit to page": :func:`labels.render_calibration`
prints the cell outlines and a ruler to check it.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from .errors import LayoutError

MM = 72.0 / 25.4
"""PDF points per millimetre."""

MAX_OFFSET_MM = 10.0
"""Largest per-printer offset accepted, in mm, on either axis."""


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle in PDF points, origin at the bottom-left of the page."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height

    def inset(self, margin: float) -> "Rect":
        """Return the rectangle shrunk by ``margin`` points on every side."""
        return Rect(
            self.x + margin,
            self.y + margin,
            self.width - 2 * margin,
            self.height - 2 * margin,
        )


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """Label stock geometry, all lengths in millimetres.

    Attributes:
        name: registry key, e.g. ``avery-l7160``.
        description: one line for people choosing a layout.
        page_width_mm, page_height_mm: the sheet (or, for rolls, the label).
        label_width_mm, label_height_mm: one label.
        columns, rows: labels across and down.
        top_margin_mm, left_margin_mm: page edge to the first label's edge.
        col_pitch_mm, row_pitch_mm: left edge to left edge, top edge to top edge.
        corner_radius_mm: die-cut corner radius (drawn on the calibration page).
        padding_mm: blank border kept inside each label (printer misregistration).
        printer_dpi: resolution the layout is meant for; bar widths are whole dots.
        max_module_mm: widest Code 128 module used on this stock.
    """

    name: str
    description: str
    page_width_mm: float
    page_height_mm: float
    label_width_mm: float
    label_height_mm: float
    columns: int
    rows: int
    top_margin_mm: float
    left_margin_mm: float
    col_pitch_mm: float
    row_pitch_mm: float
    corner_radius_mm: float = 0.0
    padding_mm: float = 2.0
    printer_dpi: float = 300.0
    max_module_mm: float = 0.5

    @property
    def capacity(self) -> int:
        """Labels per page."""
        return self.columns * self.rows

    @property
    def is_roll(self) -> bool:
        """True when the page is a single label (thermal roll)."""
        return self.capacity == 1 and (
            self.page_width_mm == self.label_width_mm
            and self.page_height_mm == self.label_height_mm
        )

    @property
    def page_size(self) -> tuple[float, float]:
        """Page width and height in points."""
        return (self.page_width_mm * MM, self.page_height_mm * MM)


def _roll(name: str, width: float, height: float, description: str) -> SheetLayout:
    return SheetLayout(
        name=name,
        description=description,
        page_width_mm=width,
        page_height_mm=height,
        label_width_mm=width,
        label_height_mm=height,
        columns=1,
        rows=1,
        top_margin_mm=0.0,
        left_margin_mm=0.0,
        col_pitch_mm=width,
        row_pitch_mm=height,
        corner_radius_mm=2.0,
        padding_mm=1.5,
        printer_dpi=203.0,
    )


_LAYOUTS: tuple[SheetLayout, ...] = (
    SheetLayout(
        name="avery-l7160",
        description="Avery L7160, A4 sheet of 21 labels",
        page_width_mm=210.0,
        page_height_mm=297.0,
        label_width_mm=63.5,
        label_height_mm=38.1,
        columns=3,
        rows=7,
        top_margin_mm=15.15,
        left_margin_mm=7.25,
        col_pitch_mm=66.0,
        row_pitch_mm=38.1,
        corner_radius_mm=1.5,
    ),
    SheetLayout(
        name="avery-l7163",
        description="Avery L7163, A4 sheet of 14 labels",
        page_width_mm=210.0,
        page_height_mm=297.0,
        label_width_mm=99.1,
        label_height_mm=38.1,
        columns=2,
        rows=7,
        top_margin_mm=15.15,
        left_margin_mm=4.65,
        col_pitch_mm=101.6,
        row_pitch_mm=38.1,
        corner_radius_mm=1.5,
    ),
    SheetLayout(
        name="a4-full",
        description="A4 full-page label (e.g. Avery L7167), one per sheet",
        page_width_mm=210.0,
        page_height_mm=297.0,
        label_width_mm=199.6,
        label_height_mm=289.1,
        columns=1,
        rows=1,
        top_margin_mm=3.95,
        left_margin_mm=5.2,
        col_pitch_mm=199.6,
        row_pitch_mm=289.1,
        corner_radius_mm=1.5,
        padding_mm=10.0,
        max_module_mm=1.0,
    ),
    _roll("thermal-100x50", 100.0, 50.0, "Thermal roll, 100 x 50 mm labels"),
    _roll("thermal-57x32", 57.0, 32.0, "Thermal roll, 57 x 32 mm labels"),
)

_BY_NAME = {layout.name: layout for layout in _LAYOUTS}


def layouts() -> tuple[SheetLayout, ...]:
    """Return every registered layout, in display order."""
    return _LAYOUTS


def layout_names() -> tuple[str, ...]:
    """Return the registered layout names."""
    return tuple(_BY_NAME)


def get_layout(name: str) -> SheetLayout:
    """Return the layout registered as ``name``.

    Raises:
        LayoutError: unknown name; the message lists the valid ones.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        valid = ", ".join(_BY_NAME)
        raise LayoutError(f"unknown layout {name!r}; valid layouts: {valid}") from None


def describe_layout(layout: SheetLayout) -> str:
    """One line of geometry for ``archive-svc labels layouts``."""
    geometry = (
        f"{layout.columns}x{layout.rows} = {layout.capacity} per page"
        if not layout.is_roll
        else "roll, 1 per page"
    )
    return (
        f"{layout.name:<15} {_mm(layout.label_width_mm)} x "
        f"{_mm(layout.label_height_mm)} mm, {geometry}, page "
        f"{_mm(layout.page_width_mm)} x {_mm(layout.page_height_mm)} mm, margins "
        f"top {_mm(layout.top_margin_mm)} left {_mm(layout.left_margin_mm)} mm, "
        f"pitch {_mm(layout.col_pitch_mm)} x {_mm(layout.row_pitch_mm)} mm "
        f"- {layout.description}"
    )


def _mm(value: float) -> str:
    return f"{value:g}"


def check_start(layout: SheetLayout, start: int) -> None:
    """Check that ``start`` (1-based first free slot) exists on the sheet.

    Raises:
        LayoutError: ``start`` is below 1 or beyond the sheet; names the maximum.
    """
    if not 1 <= start <= layout.capacity:
        raise LayoutError(
            f"start slot {start} is outside layout {layout.name}: "
            f"slots are numbered 1 to {layout.capacity}"
        )


def check_offset(offset_mm: tuple[float, float]) -> None:
    """Reject printer offsets larger than :data:`MAX_OFFSET_MM` on either axis."""
    if any(abs(value) > MAX_OFFSET_MM for value in offset_mm):
        raise LayoutError(
            f"printer offset {offset_mm} mm is larger than {MAX_OFFSET_MM:g} mm; "
            "check the printer's scaling instead"
        )


def slot_rect(
    layout: SheetLayout, slot: int, offset_mm: tuple[float, float] = (0.0, 0.0)
) -> Rect:
    """Return the cell of ``slot`` (1-based, row-major from the top-left), in points.

    Args:
        layout: the label stock.
        slot: 1 to ``layout.capacity``.
        offset_mm: per-printer correction ``(dx, dy)`` in mm; positive ``dx`` moves
            the print right, positive ``dy`` moves it down the page.

    Raises:
        LayoutError: the slot does not exist on this layout.
    """
    check_start(layout, slot)
    row, col = divmod(slot - 1, layout.columns)
    left_mm = layout.left_margin_mm + col * layout.col_pitch_mm + offset_mm[0]
    top_mm = layout.top_margin_mm + row * layout.row_pitch_mm + offset_mm[1]
    bottom_mm = layout.page_height_mm - top_mm - layout.label_height_mm
    return Rect(
        left_mm * MM,
        bottom_mm * MM,
        layout.label_width_mm * MM,
        layout.label_height_mm * MM,
    )


def plan_slots(layout: SheetLayout, count: int, start: int = 1) -> Iterator[int]:
    """Yield the slot of each of ``count`` labels; 1 marks the start of a new page.

    The first page starts at ``start`` (reusing a half-used sheet); later pages are
    filled from slot 1.
    """
    check_start(layout, start)
    slot = start
    for _ in range(count):
        yield slot
        slot = slot % layout.capacity + 1
