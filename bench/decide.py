"""Access decisions per second through the pure engine, on one core.

A realistic mix of requests (seeded, so every run decides the same ones): officers
examining files of their division or another, agents handling, legal consultants,
civil registrars, secretaries, researchers reading and the portal listing records
(one decision per record shown), a few courts, prefectures, police and foreign
authorities; files mostly closed or rejected, some sensitive, in Interior custody,
with confidential sources or audio recordings, latest documents from 1950 to 2026
(so communicability is computed for the researchers' requests).

Baseline in the same run: the same requests through a trivial route rule, a dict
lookup of a prebuilt decision by (role, purpose), in the same loop.

    python bench/decide.py [--requests 20000] [--rounds 15]

Target (issue 13): >= 100,000 decisions/s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive_svc import access
from archive_svc.access import Derogation, FileFacts, Principal

DIVISIONS = ["africa", "americas_maghreb", "asia", "europe_middle_east"]
STATUSES = {
    "closed": 40, "rejected_final": 25, "rejected_pending_appeal": 8, "pending": 10,
    "protected_refugee": 9, "protected_subsidiary": 5, "stateless": 1, "withdrawn": 2,
}  # fmt: skip
# (weight, role, purpose)
MIX = [
    (30, "protection_officer", "examination"),
    (5, "protection_officer", "reexamination"),
    (12, "archive_agent", "archival_processing"),
    (6, "legal_consultant", "litigation"),
    (2, "legal_consultant", "applicant_access"),
    (1, "legal_consultant", "audio_appeal_access"),
    (4, "civil_registrar", "civil_status"),
    (3, "secretary", "filing"),
    (2, "research_assistant", "coi_research"),
    (2, "history_mission_staff", "nominal_search"),
    (5, "researcher", "historical_research"),
    (20, "researcher", "portal_display"),
    (3, "public", "portal_display"),
    (1, "cnda", "cnda_appeal"),
    (1, "prefecture_agent", "removal"),
    (1, "police", "examination"),
    (1, "foreign_authority", "examination"),
    (1, "siaf", "control"),
]


def make_file(rng: random.Random, n: int) -> FileFacts:
    docs = ["civil_status", "interview_transcript", "decision"]
    if rng.random() < 0.15:
        docs.append("audio_recording")
    if rng.random() < 0.05:
        docs.append("confidential_source")
    if rng.random() < 0.3:
        docs.append("travel_document")
    status = rng.choices(list(STATUSES), weights=list(STATUSES.values()))[0]
    last = date(1950, 1, 1) + timedelta(days=rng.randrange(76 * 365))
    return FileFacts(
        number=f"OFP-{last.year}-{n:06d}",
        division=rng.choice(DIVISIONS),
        status=status,
        assigned_officer=f"officer.{rng.randrange(200)}"
        if rng.random() < 0.3
        else None,
        sensitive=rng.random() < 0.03,
        exclusion_clause=rng.random() < 0.01,
        interior_custody=status.startswith("rejected") and rng.random() < 0.1,
        applicant_minor=rng.random() < 0.08,
        under_appeal=status == "rejected_pending_appeal",
        last_document_date=last,
        documents=tuple(docs),
    )


def make_requests(count: int, seed: int = 13) -> list[tuple]:
    rng = random.Random(seed)
    files = [make_file(rng, n) for n in range(5_000)]
    weights = [w for w, _, _ in MIX]
    at = date(2026, 12, 1)
    requests = []
    for _ in range(count):
        _, role, purpose = rng.choices(MIX, weights=weights)[0]
        f = rng.choice(files)
        who = Principal(
            role=role,
            id=f"{role}.{rng.randrange(200)}",
            # officers and secretaries mostly ask for their own division's files
            division=f.division if rng.random() < 0.85 else rng.choice(DIVISIONS),
            authorisation_valid_until=date(2027, 6, 30),
        )
        derogation = None
        if role == "researcher" and rng.random() < 0.1:
            derogation = Derogation(who.id, frozenset({f.number}), date(2027, 1, 31),
                                    frozenset({"on_site"}))  # fmt: skip
        asked = frozenset({"civil_status"}) if role == "prefecture_agent" else None
        requests.append((who, purpose, f, at, asked, derogation))
    return requests


def engine_loop(requests: list[tuple], rules: access.RuleSet) -> float:
    decide = rules.decide
    start = time.perf_counter()
    for who, purpose, f, at, asked, derogation in requests:
        decide(who, purpose, f, at, asked, derogation)
    return time.perf_counter() - start


def baseline_loop(requests: list[tuple], table: dict) -> float:
    denied = table[None]
    start = time.perf_counter()
    for who, purpose, _f, _at, _asked, _derogation in requests:
        table.get((who.role, purpose), denied)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    requests = make_requests(args.requests)
    route = access.decide(Principal("archive_agent", "a"), "archival_processing",
                          FileFacts("F", None, "closed"), date(2026, 1, 1))  # fmt: skip
    table: dict = {(role, purpose): route for _, role, purpose in MIX}
    table[None] = route

    cold = engine_loop(requests, access.RuleSet())  # a fresh rule set: nothing shared
    engine, baseline = [], []
    for _ in range(args.rounds):
        engine.append(args.requests / engine_loop(requests, access.DEFAULT_RULES))
        baseline.append(args.requests / baseline_loop(requests, table))
    outcomes = Counter(
        access.DEFAULT_RULES.decide(*r).outcome for r in requests
    ).most_common()
    # On a shared machine the best round is the one least disturbed by other
    # processes (as timeit advises); the median is printed too.
    rate, base = max(engine), max(baseline)
    print(f"requests: {args.requests} per round, {args.rounds} rounds, one core")
    print(f"outcomes: {', '.join(f'{k} {v}' for k, v in outcomes)}")
    print(f"engine, first pass on a fresh rule set: {args.requests / cold:,.0f}/s")
    print(
        f"engine: best round {rate:,.0f} decisions/s ({1e6 / rate:.2f} us each), "
        f"median {statistics.median(engine):,.0f}/s"
    )
    print(
        f"baseline (dict lookup by role and purpose): best round {base:,.0f}/s, "
        f"median {statistics.median(baseline):,.0f}/s"
    )
    print(f"ratio engine/baseline (best rounds): {rate / base:.3f}")
    print(f"target >= 100,000/s: {'met' if rate >= 100_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
