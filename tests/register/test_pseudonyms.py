"""The register stays pseudonymous: single given names, e-mail addresses and partial personal
codes are refused as codes, besides full names; ordinary codes pass."""

import pytest

from grants.register.participants import looks_identifying


@pytest.mark.parametrize(
    "text",
    [
        "Anna",
        "Jānis",
        "janis",
        "Līga 2",
        "TUK Ilze",
        "anna.berzina@tukums.lv",
        "TUK-017 j.ozols@inbox.lv",
        "010190",
        "010190-",
        "010190-123",
        "TUK-290296",
        "31129912",
        "Anna Bērziņa",
    ],
)
def test_given_names_emails_and_partial_personal_codes_are_identifying(text):
    assert looks_identifying(text)


@pytest.mark.parametrize(
    "text",
    [
        "TUK-017",
        "MA-17",
        "F-2024-003",
        "IB-2020-014",
        "SIF-12",
        "Ģimene 3",
        "Ģ-04-1",
        "123456",
        "TUK-311399",
        "2024-03-15",
        "20240315",
        "ANS-4",
        "P@",
    ],
)
def test_pseudonymous_codes_pass(text):
    assert not looks_identifying(text)
