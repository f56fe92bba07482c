"""What a class-list correction may hold: names, Vietnamese phone numbers, relations, dates of
birth."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from desktop.domain import roster
from desktop.errors import InvalidInput


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84-388-123-456", "0388123456"),
        ("(0275) 3822 123", "02753822123"),
    ],
)
def test_vietnamese_phones_are_stored_as_digits(typed: str, stored: str) -> None:
    assert roster.phone_number(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "0123456789", "09123456789", "0912-ABC-678", ""])
def test_other_phones_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput):
        roster.phone_number(typed)


def test_names_are_stored_in_nfc_and_must_be_letters() -> None:
    assert roster.person_name(unicodedata.normalize("NFD", " Hờ  A Páo ")) == "Hờ A Páo"
    assert roster.person_name("K'Brěk Ơ-Tin") == "K'Brěk Ơ-Tin"
    for wrong in ("", "Nguyễn Văn 4n", "an@school", "---", "x" * 101):
        with pytest.raises(InvalidInput):
            roster.person_name(wrong)


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Mẹ", "mother"), ("bố", "father"), ("cha", "father"), ("Ông ngoại", "grandfather"),
     ("anh/chị", "sibling"), ("mother", "mother"), ("hàng xóm", None)],
)  # fmt: skip
def test_relations_in_the_words_of_a_class_list(typed: str, code: str | None) -> None:
    assert roster.relation_code(typed) == code


def test_a_date_of_birth_fits_a_school_age() -> None:
    starts = date(2025, 9, 5)
    assert roster.birth_date(date(2009, 9, 5), starts) == date(2009, 9, 5)
    for wrong in (date(2024, 1, 1), date(2030, 1, 1), date(1990, 1, 1)):
        with pytest.raises(InvalidInput):
            roster.birth_date(wrong, starts)
