"""Barcode scheme of domain.md §3: ``PREFIX + BODY + CHECK`` with ISO 7064 MOD 37-2."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive_svc.domain import barcodes, errors
from archive_svc.domain.barcodes import ALPHABET, Kind

BODY_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def is_checked(code: str) -> bool:
    """Whether the last character is the MOD 37-2 check of the rest."""
    return barcodes.check_character(code[:-1]) == code[-1]


# Any payload over the check alphabet (the ISO vector is not one of our kinds).
payloads = st.text(alphabet=ALPHABET, min_size=1, max_size=16)
# Codes of our own kinds: a known prefix and a body the scheme allows.
codes = st.builds(
    lambda kind, body: kind.value + body + barcodes.check_character(kind.value + body),
    st.sampled_from(list(Kind)),
    st.text(alphabet=BODY_CHARS, min_size=1, max_size=14),
)


def test_iso_7064_known_vector_gives_h() -> None:
    assert barcodes.check_character("G123498654321") == "H"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("LC000000429", Kind.LOCATION),
        ("BX00012345W", Kind.BOX),
        ("DS00000001R", Kind.FILE),
        ("PL000000076", Kind.ENVELOPE),
        ("FT000012347", Kind.OUT_CARD),
        ("AG00000015I", Kind.BADGE),
    ],
)
def test_examples_of_the_domain_model_parse_to_their_kind(
    code: str, kind: Kind
) -> None:
    assert barcodes.parse(code) == (kind, code)
    assert barcodes.is_valid(code)
    assert barcodes.validation_error(code) is None


def test_numbered_kinds_and_file_numbers_produce_the_documented_labels() -> None:
    assert barcodes.make(Kind.BOX, 12345) == "BX00012345W"
    assert barcodes.make(Kind.BADGE, 15) == "AG00000015I"
    assert barcodes.file_barcode("1") == "DS00000001R"
    assert barcodes.file_barcode("ds-0000 0001") == barcodes.file_barcode("DS00000001")


def test_label_text_is_grouped_for_typing() -> None:
    assert barcodes.grouped("BX00012345W") == "BX 0001 2345 W"


def test_issued_serials_never_end_in_a_star() -> None:
    serials = barcodes.keyable_serials(Kind.BOX)
    issued = [next(serials) for _ in range(200)]
    assert all(code[-1] != "*" for _, code in issued)
    skipped = set(range(1, issued[-1][0] + 1)) - {s for s, _ in issued}
    assert skipped, "some serial in the first 200 has a '*' check and must be skipped"
    assert all(barcodes.make(Kind.BOX, s)[-1] == "*" for s in skipped)


def test_prefixes_differ_in_both_letters() -> None:
    prefixes = [k.value for k in Kind]
    for a in prefixes:
        for other in prefixes:
            if a != other:
                assert a[0] != other[0] and a[1] != other[1], (a, other)


@given(payloads)
def test_every_single_character_substitution_is_detected(payload: str) -> None:
    code = payload + barcodes.check_character(payload)
    for i, original in enumerate(code):
        for replacement in ALPHABET:
            if replacement != original:
                mutated = code[:i] + replacement + code[i + 1 :]
                assert not is_checked(mutated), (code, mutated)


@given(payloads)
def test_every_adjacent_transposition_of_distinct_characters_is_detected(
    payload: str,
) -> None:
    code = payload + barcodes.check_character(payload)
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert not is_checked(swapped), (code, swapped)


@given(codes)
def test_a_mistyped_code_of_our_kinds_is_refused_by_parse(code: str) -> None:
    for i, original in enumerate(code):
        replacement = "0" if original != "0" else "1"
        mutated = code[:i] + replacement + code[i + 1 :]
        with pytest.raises(errors.InvalidBarcode):
            barcodes.parse(mutated)


@given(
    codes,
    st.sampled_from(["", "]C0", "]C1", "]c0", "]E0"]),
    st.lists(st.sampled_from([" ", "-", ""]), min_size=1, max_size=20),
    st.booleans(),
    st.sampled_from(["", " ", "\t", "\n"]),
)
def test_normalise_strips_aim_id_spaces_and_hyphens_and_upper_cases(
    code: str, aim: str, separators: list[str], lower: bool, padding: str
) -> None:
    spread = "".join(
        c + separators[i % len(separators)] for i, c in enumerate(code)
    ).rstrip(" -")
    typed = padding + aim + (spread.lower() if lower else spread) + padding
    assert barcodes.normalise(typed) == code
    assert barcodes.parse(typed)[1] == code


def test_aim_identifier_is_split_from_the_read() -> None:
    assert barcodes.strip_aim("]C0BX00012345W") == ("BX00012345W", "]C0")
    assert barcodes.strip_aim("BX00012345W") == ("BX00012345W", None)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("hello", errors.MalformedBarcode),
        ("", errors.MalformedBarcode),
        ("BX1", errors.MalformedBarcode),
        (
            "ZZ00012345" + barcodes.check_character("ZZ00012345"),
            errors.MalformedBarcode,
        ),
        ("BX0001*345W", errors.MalformedBarcode),
        ("BX0001_2345W", errors.MalformedBarcode),
        ("BX00012345X", errors.BadCheckCharacter),
        ("BX00021345W", errors.BadCheckCharacter),
        ("]C0 bx 0001 2345 x", errors.BadCheckCharacter),
    ],
)
def test_parse_raises_the_named_error(
    raw: str, error: type[errors.InvalidBarcode]
) -> None:
    with pytest.raises(error) as raised:
        barcodes.parse(raw)
    assert type(raised.value) is error
    assert barcodes.validation_error(raw) == error.code
    assert not barcodes.is_valid(raw)


def test_error_codes_are_stable_machine_readable_names() -> None:
    assert errors.MalformedBarcode.code == "malformed_barcode"
    assert errors.BadCheckCharacter.code == "bad_check_character"


def test_file_number_without_any_usable_character_is_malformed() -> None:
    with pytest.raises(errors.MalformedBarcode):
        barcodes.file_barcode("--/--")


@settings(max_examples=200)
@given(st.text(alphabet=BODY_CHARS + " -", max_size=20))
def test_file_barcode_is_always_a_valid_file_code(number: str) -> None:
    if not number.replace(" ", "").replace("-", ""):
        return
    kind, code = barcodes.parse(barcodes.file_barcode(number))
    assert kind is Kind.FILE and code.startswith("DS")
