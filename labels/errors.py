"""Errors raised by :mod:`labels`.

All of them are ``ValueError`` subclasses: they describe bad input (a code, a layout
name, a start slot, a selection), never an internal failure::

    LabelError
    ├── LayoutError          unknown layout, start slot beyond the sheet, bad offset
    ├── BarcodeError         a code Code 128 cannot carry, or too long for the label
    └── EmptySelectionError  nothing to print
"""


class LabelError(ValueError):
    """Base class of every error raised by :mod:`labels`."""


class LayoutError(LabelError):
    """A layout name, start slot or printer offset is not usable."""


class BarcodeError(LabelError):
    """A code cannot be printed as a Code 128 symbol that scans reliably."""


class EmptySelectionError(LabelError):
    """A label sheet or document was requested for an empty selection."""
