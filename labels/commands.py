"""Command barcodes for the scanner workflows, and the standard command sheet.

The scanner state machine matches scans against the same strings: import
:data:`COMMAND_CODES` and :data:`REASON_CODES` rather than retyping them.
"""

from .specs import CommandLabel

_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("CMD-SHELVE", "Ranger", "Shelve"),
    ("CMD-PICK", "Sortir", "Pick"),
    ("CMD-HANDOVER", "Remettre au demandeur", "Hand over"),
    ("CMD-RETURN", "Retour", "Return"),
    ("CMD-RELOCATE", "Déplacer", "Relocate"),
    ("CMD-DIGITISE", "Envoyer en numérisation", "Send to digitisation"),
    ("CMD-HISTORY", "Envoyer à la mission histoire", "Send to history mission"),
    ("CMD-VERIFY", "Récolement\u00a0: début", "Inventory start"),
    ("CMD-VERIFY-END", "Récolement\u00a0: fin", "Inventory end"),
    ("CMD-CONFIRM", "Valider", "Confirm"),
    ("CMD-CANCEL", "Annuler le dernier", "Cancel last"),
)

_REASONS: tuple[tuple[str, str, str], ...] = (
    ("RSN-URGENT", "Motif\u00a0: urgence", "Reason: urgent"),
    ("RSN-AUDIT", "Motif\u00a0: contrôle", "Reason: audit"),
    ("RSN-CONSERVE", "Motif\u00a0: conservation", "Reason: conservation"),
    ("RSN-OTHER", "Motif\u00a0: autre", "Reason: other"),
)

COMMAND_CODES: tuple[str, ...] = tuple(code for code, _, _ in _COMMANDS)
"""Mode switches and confirm/cancel, as scanned (``CMD-SHELVE``…)."""

REASON_CODES: tuple[str, ...] = tuple(code for code, _, _ in _REASONS)
"""Reasons for an unplanned pick (``RSN-URGENT``…)."""


def command_sheet_specs(*, reasons: bool = True) -> tuple[CommandLabel, ...]:
    """Return the standard command sheet: every command, then the reason codes.

    Args:
        reasons: include the reason codes for unplanned picks (default).
    """
    rows = _COMMANDS + (_REASONS if reasons else ())
    return tuple(CommandLabel(code, fr, en) for code, fr, en in rows)
