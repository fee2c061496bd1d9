"""Domain errors. Each carries a stable machine-readable ``code``.

Hierarchy::

    DomainError
    ├── InvalidInput            (bad request data; HTTP 400 / 422)
    │   ├── InvalidBarcode
    │   │   ├── MalformedBarcode       code "malformed_barcode"
    │   │   └── BadCheckCharacter      code "bad_check_character"
    │   ├── InvalidId                  code "invalid_id"
    │   ├── UnknownKind                code "unknown_kind"
    │   ├── ActorRequired              code "actor_required"
    │   ├── InvalidTimestamp           code "invalid_timestamp"
    │   ├── FutureTimestamp            code "future_timestamp"
    │   ├── BatchTooLarge              code "batch_too_large"
    │   ├── WeakPassword               code "weak_password"
    │   └── ReasonRequired             code "reason_required"
    ├── NotFound                (HTTP 404)
    │   ├── UnknownBarcode             code "unknown_barcode"
    │   ├── UnknownTarget              code "unknown_target"
    │   └── UnknownPrincipal           code "unknown_principal"
    ├── Conflict                (HTTP 409)
    │   ├── IdConflict                 code "id_conflict"
    │   └── AlreadyExists              code "already_exists"
    ├── MovementRefused         (a custody rule says no; HTTP 409)
    │   ├── IllegalTransition          code "illegal_transition"
    │   ├── LoanOpen                   code "loan_open"
    │   ├── TerminalState              code "terminal_state"
    │   ├── WrongKind                  code "wrong_kind"
    │   ├── CapacityExceeded           code "capacity_exceeded"
    │   ├── LocationNeutralised        code "location_neutralised"
    │   ├── LocationMismatch           code "location_mismatch"
    │   ├── SameCustodian              code "same_custodian"
    │   ├── OutOfOrder                 code "out_of_order"
    │   ├── RoleRequired               code "role_required"
    │   └── NotAHolder                 code "not_a_holder"
    └── AccessDenied            (HTTP 403)
        └── ActorNotCaller             code "actor_not_caller"
"""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    code = "invalid_input"


class WeakPassword(InvalidInput):
    """A password the policy refuses; ``reason`` says which rule (``length``,
    ``same_as_id``, ``repeated``, ``common``) so a page can say it in its language."""

    code = "weak_password"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, field="password", reason=reason)
        self.reason = reason


class InvalidBarcode(InvalidInput):
    code = "invalid_barcode"


class MalformedBarcode(InvalidBarcode):
    code = "malformed_barcode"

    def __init__(self, value: str) -> None:
        super().__init__(
            f"{value!r} is not a barcode of this archive (PREFIX + body + check)",
            value=value,
        )


class BadCheckCharacter(InvalidBarcode):
    code = "bad_check_character"

    def __init__(self, value: str) -> None:
        super().__init__(
            f"{value}: wrong check character (misread or mistyped); scan again",
            value=value,
        )


class InvalidId(InvalidInput):
    code = "invalid_id"


class ActorRequired(InvalidInput):
    code = "actor_required"


class UnknownKind(InvalidInput):
    code = "unknown_kind"


class InvalidTimestamp(InvalidInput):
    code = "invalid_timestamp"


class FutureTimestamp(InvalidInput):
    code = "future_timestamp"


class BatchTooLarge(InvalidInput):
    code = "batch_too_large"


class ReasonRequired(InvalidInput):
    code = "reason_required"


class NotFound(DomainError):
    code = "not_found"


class UnknownBarcode(NotFound):
    code = "unknown_barcode"

    def __init__(self, value: str) -> None:
        super().__init__(f"{value}: no item or location has this barcode", value=value)


class UnknownTarget(NotFound):
    code = "unknown_target"


class UnknownPrincipal(NotFound):
    code = "unknown_principal"


class Conflict(DomainError):
    code = "conflict"


class IdConflict(Conflict):
    code = "id_conflict"


class AlreadyExists(Conflict):
    code = "already_exists"


class MovementRefused(DomainError):
    code = "movement_refused"


class IllegalTransition(MovementRefused):
    code = "illegal_transition"


class LoanOpen(MovementRefused):
    code = "loan_open"


class TerminalState(MovementRefused):
    code = "terminal_state"


class WrongKind(MovementRefused):
    code = "wrong_kind"


class CapacityExceeded(MovementRefused):
    code = "capacity_exceeded"


class LocationNeutralised(MovementRefused):
    code = "location_neutralised"


class LocationMismatch(MovementRefused):
    code = "location_mismatch"


class SameCustodian(MovementRefused):
    code = "same_custodian"


class OutOfOrder(MovementRefused):
    code = "out_of_order"


class RoleRequired(MovementRefused):
    code = "role_required"


class AccessDenied(DomainError):
    code = "access_denied"


class NotAHolder(MovementRefused):
    """Custody would go to a person who may not hold files (access-rules D1)."""

    code = "not_a_holder"


class ActorNotCaller(AccessDenied):
    """A movement names as its actor someone its submitter does not speak for."""

    code = "actor_not_caller"
