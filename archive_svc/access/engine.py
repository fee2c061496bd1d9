"""``decide(principal, purpose, file, at)``: the item-level access decision (§3).

Evaluation order (access-rules.md §3.1):

1. hard denials, rows of ``table.HARD_DENIALS`` in order: D1 (a foreign authority,
   whatever it asks or holds), D2 (destroyed or missing), D3 (reader ban); then an
   unknown role or purpose is denied by default (rule ``Z``);
2. a request touching an audio recording tries only A1, E1, E2 and P2, else P3 denies;
3. otherwise the rows of (role, purpose) in table order: the first whose condition
   holds wins;
4. modifiers M1-M4 on the matched row's result;
5. no match: deny, rule ``Z``, reason ``no_rule`` (plus what the rows missed).

A rule set indexes its rows by (role, purpose) once. The decision depends only on the
matched row and which modifiers fired (and a derogation's restrictions for R2), so
decisions are built once per such combination and shared: they are immutable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date

from archive_svc.access import table
from archive_svc.access import vocabulary as v
from archive_svc.access.citations import CITATIONS, Citation, with_overrides
from archive_svc.access.communicability import DELAYS, GRANULARITIES
from archive_svc.access.conditions import CONDITIONS, Condition, Docs
from archive_svc.access.facts import Decision, Derogation, FileFacts, Principal
from archive_svc.access.principals import ROLE_NAMES
from archive_svc.access.reasons import REASONS

EVALUATION = "2026-12-01.1"
"""Revision of the evaluation logic below (order, modifiers): part of every rule set's
version, so a decision journaled under other logic never shares its version. Change
it with any change of behaviour in this module or ``conditions.py``."""


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A row ready for ``decide``: its predicate, which modifiers can touch it, and
    its decision when none does."""

    row: table.Row
    index: int
    condition: Condition
    plain: Decision
    needs: str | None
    m1: bool
    m2: bool
    m3: bool
    copies_derogation: bool


@dataclass(frozen=True)
class _Candidates:
    rows: tuple[_Compiled, ...]
    audio_rows: tuple[_Compiled, ...]
    unmatched: Decision


class RuleSet:
    """The decision table, its citations and policy options, indexed for ``decide``.

    Build one at start-up (``DEFAULT_RULES`` or :meth:`configured`) and share it.
    ``version`` is a hash of everything that can change a decision.
    """

    def __init__(
        self,
        rows: Iterable[table.Row] = table.ROWS,
        *,
        citations: Mapping[str, Citation] = CITATIONS,
        granularity: str = "day",
        medical: bool = False,
    ) -> None:
        if granularity not in GRANULARITIES:
            raise ValueError(f"unknown granularity {granularity!r}")
        self.rows = tuple(rows)
        self.citations = dict(citations)
        self.granularity = granularity
        self.medical = medical
        self._statuses = {c.code: c.status for c in self.citations.values()}
        self._check()
        self.version = self._hash()
        self._cache: dict[tuple[object, ...], Decision] = {}
        self._hard = tuple(
            (row.roles, CONDITIONS[row.condition], self._build(row, ()))
            for row in table.HARD_DENIALS
        )
        self._audio_denial = self._build(table.AUDIO_DENIAL, ())
        self._unknown_role = self._default_denial(("unknown_role",))
        self._unknown_purpose = self._default_denial(("unknown_purpose",))
        self._index = self._compile()

    def configured(
        self,
        *,
        citations: Mapping[str, Mapping[str, str]] | None = None,
        granularity: str | None = None,
        medical: bool | None = None,
    ) -> RuleSet:
        """This rule set with citations confirmed or corrected and options changed."""
        return RuleSet(
            self.rows,
            citations=with_overrides(self.citations, citations or {}),
            granularity=granularity or self.granularity,
            medical=self.medical if medical is None else medical,
        )

    def citation_status(self, code: str) -> str:
        """``confirmed`` or ``unconfirmed`` for a code of ``Decision.legal_basis``."""
        return self._statuses[code]

    def decide(
        self,
        principal: Principal,
        purpose: str,
        file: FileFacts,
        at: date,
        request_documents: frozenset[str] | None = None,
        derogation: Derogation | None = None,
    ) -> Decision:
        p, f = principal, file
        for roles, condition, denial in self._hard:
            if (not roles or p.role in roles) and condition(p, f, at, (), None, self):
                return denial
        candidates = self._index.get((p.role, purpose))
        if candidates is None:
            if p.role not in ROLE_NAMES:
                return self._unknown_role
            return self._unknown_purpose
        docs: Docs = f.documents if request_documents is None else request_documents
        audio = v.AUDIO_RECORDING in docs
        for c in candidates.audio_rows if audio else candidates.rows:
            if c.condition(p, f, at, docs, derogation, self):
                return self._modified(c, p, f, at, docs, derogation)
        return self._audio_denial if audio else candidates.unmatched

    def _modified(
        self,
        c: _Compiled,
        p: Principal,
        f: FileFacts,
        at: date,
        docs: Docs,
        derogation: Derogation | None,
    ) -> Decision:
        m4 = c.needs is not None and not _holds(c.needs, p, at)
        m1 = c.m1 and f.sensitive and not p.authorised_by_dg
        m2 = c.m2 and (
            v.CONFIDENTIAL_SOURCE in f.documents or v.CONFIDENTIAL_SOURCE in docs
        )
        m3 = (
            c.m3
            and f.interior_custody
            and f.status in v.REJECTED
            and not p.authorised_by_dg
        )
        if not (m1 or m2 or m3 or m4 or c.copies_derogation):
            return c.plain
        row = c.row
        extra = (
            derogation.restrictions
            if row.derogation_restrictions and derogation is not None
            else None
        )
        key = (c.index, m1, m2, m3, m4, extra)
        decision = self._cache.get(key)
        if decision is None:
            mods = tuple(
                m for m, on in zip(table.MODIFIERS, (m1, m2, m3, m4), strict=True) if on
            )
            decision = self._build(row, mods, extra)
            if len(self._cache) < 50_000:
                self._cache[key] = decision
        return decision

    def _build(
        self,
        row: table.Row,
        mods: tuple[table.Modifier, ...],
        extra: frozenset[str] | None = None,
    ) -> Decision:
        outcome, escalate_to = row.outcome, row.escalate_to
        restrictions = set(extra if extra is not None else row.restrictions)
        reasons, basis = list(row.reasons), list(row.basis)
        if any(mod.id == "M4" for mod in mods):
            # the authorisation the row relies on does not hold: that is the answer
            outcome, escalate_to, restrictions = v.DENY, None, set()
            reasons, mods = [table.NEED_REASONS[row.needs or ""]], ()
        for mod in mods:
            reasons.append(mod.reason)
            basis.extend(mod.basis)
            if mod.id == "M2":
                restrictions.add("withhold_confidential_sources")
                if outcome == v.ALLOW:
                    outcome = v.ALLOW_WITH_RESTRICTIONS
            else:
                outcome, escalate_to = v.ESCALATE, mod.escalate_to
        return Decision(
            outcome=outcome,
            allowed=outcome in v.ALLOWED,
            reasons=tuple(REASONS[code] for code in dict.fromkeys(reasons)),
            legal_basis=tuple(dict.fromkeys(self.citations[key].code for key in basis)),
            restrictions=frozenset(restrictions),
            escalate_to=escalate_to,
            rule_id=row.id,
            rules_version=self.version,
        )

    def _default_denial(self, extra: tuple[str, ...]) -> Decision:
        row = table.DEFAULT_DENIAL
        return self._build(
            table.Row(row.id, row.roles, row.purposes, row.condition, row.outcome,
                      reasons=(*row.reasons, *extra)),
            (),
        )  # fmt: skip

    def _compile(self) -> dict[tuple[str, str], _Candidates]:
        compiled = [
            _Compiled(
                row, i, CONDITIONS[row.condition], self._build(row, ()), row.needs,
                m1=row.outcome in v.ALLOWED and not row.m1_exempt,
                m2=row.side != "internal" and row.outcome != v.DENY,
                m3=row.outcome in v.ALLOWED,
                copies_derogation=row.derogation_restrictions,
            )
            for i, row in enumerate(self.rows)
        ]  # fmt: skip
        index = {}
        for role in ROLE_NAMES:
            for purpose in v.PURPOSES:
                rows = tuple(c for c in compiled if _applies(c.row, role, purpose))
                misses = tuple(r.row.miss_reason for r in rows if r.row.miss_reason)
                index[role, purpose] = _Candidates(
                    rows,
                    tuple(c for c in rows if c.row.audio),
                    self._default_denial(misses),
                )
        return index

    def _check(self) -> None:
        for row in self.rows:
            unknown = [
                *(r for r in row.reasons if r not in REASONS),
                *(b for b in row.basis if b not in self.citations),
                *(r for r in row.restrictions if r not in v.RESTRICTIONS),
            ]
            if row.condition not in CONDITIONS or row.outcome not in v.OUTCOMES:
                unknown.append(row.condition)
            if unknown:
                raise ValueError(f"row {row.id}: unknown {unknown}")

    def _hash(self) -> str:
        def plain(value: object) -> object:
            if isinstance(value, frozenset):
                return sorted(value)
            return value

        data = {
            "rows": [
                {k: plain(x) for k, x in asdict(r).items()}
                for r in (*table.HARD_DENIALS, *self.rows, table.AUDIO_DENIAL)
            ],
            "modifiers": [asdict(m) for m in table.MODIFIERS],
            "citations": {k: asdict(c) for k, c in sorted(self.citations.items())},
            "reasons": {k: asdict(r) for k, r in sorted(REASONS.items())},
            "delays": {k: asdict(d) for k, d in DELAYS.items()},
            "evaluation": EVALUATION,
            "granularity": self.granularity,
            "medical": self.medical,
        }
        text = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _applies(row: table.Row, role: str, purpose: str) -> bool:
    return (not row.roles or role in row.roles) and (
        not row.purposes or purpose in row.purposes
    )


def _holds(need: str, p: Principal, at: date) -> bool:
    if need == table.AUTHORISATION_ORDER:
        until = p.authorisation_valid_until
        return until is not None and at <= until
    if need == table.CONFIDENTIALITY_AGREEMENT:
        return p.confidentiality_agreement
    return False


DEFAULT_RULES = RuleSet()
"""The table of access-rules.md as shipped (citations as the spec marks them)."""


def decide(
    principal: Principal,
    purpose: str,
    file: FileFacts,
    at: date,
    *,
    request_documents: frozenset[str] | None = None,
    derogation: Derogation | None = None,
    rules: RuleSet = DEFAULT_RULES,
) -> Decision:
    """Who may have ``file`` for ``purpose`` on ``at``: a pure, explained decision.

    ``request_documents``: the kinds asked for (default: the whole file). Unknown
    roles and purposes are denied (rule ``Z``), never an error.
    """
    return rules.decide(principal, purpose, file, at, request_documents, derogation)
