"""eventapp.emails: one set of rules for every address the app takes, keeps and sends."""

from __future__ import annotations

import pytest

from eventapp.emails import (
    AddressProblem,
    InvalidAddress,
    address_for_smtp,
    needs_smtputf8,
    normalize_address,
    same_mailbox,
)


@pytest.mark.parametrize(("typed", "kept"), [
    ("Taro@EXAMPLE.JP", "Taro@example.jp"),
    ("taro@例え.JP", "taro@例え.jp"),
    ("taro@xn--r8jz45g.jp", "taro@例え.jp"),  # punycode as typed: kept readable, the same mailbox
    ("a" * 64 + "@example.jp", "a" * 64 + "@example.jp"),
])
def test_addresses_are_kept_normalised(typed, kept):
    assert normalize_address(typed, allow_non_ascii_local_part=False) == kept


@pytest.mark.parametrize(("typed", "problem"), [
    ("taro.example.jp", AddressProblem.NO_AT),
    ("a" * 65 + "@example.jp", AddressProblem.LOCAL_PART_TOO_LONG),
    ("a" * 240 + "@example.jp", AddressProblem.LOCAL_PART_TOO_LONG),
    ("a" * 60 + "@" + ".".join(["日本語ドメイン名例" * 2] * 4) + ".jp", AddressProblem.TOO_LONG),
    ("b" * 64 + "@" + ".".join(["c" * 60] * 4) + ".jp", AddressProblem.TOO_LONG),
    ("taro@localhost", AddressProblem.BAD_DOMAIN),
    ("taro@exa mple.jp", AddressProblem.BAD_DOMAIN),
    ("taro..yamada@example.jp", AddressProblem.BAD_LOCAL_PART),
    ("@example.jp", AddressProblem.BAD_LOCAL_PART),
    ("山田@example.jp", AddressProblem.NON_ASCII_LOCAL_PART),
])
def test_what_is_wrong_is_named(typed, problem):
    with pytest.raises(InvalidAddress) as caught:
        normalize_address(typed, allow_non_ascii_local_part=False)
    assert caught.value.problem == problem


def test_a_non_ascii_local_part_only_when_the_relay_takes_it():
    assert normalize_address("山田@例え.jp", allow_non_ascii_local_part=True) == "山田@例え.jp"


def test_the_wire_form_has_the_domain_in_punycode():
    assert address_for_smtp("taro@例え.jp") == "taro@xn--r8jz45g.jp"
    assert address_for_smtp("山田@例え.jp") == "山田@xn--r8jz45g.jp"
    assert not needs_smtputf8(address_for_smtp("taro@例え.jp"))
    assert needs_smtputf8(address_for_smtp("山田@例え.jp"))
    with pytest.raises(InvalidAddress):
        address_for_smtp("a" * 240 + "@example.jp")


def test_one_mailbox_in_two_spellings():
    assert same_mailbox("Taro@例え.jp", "taro@xn--r8jz45g.JP")
    assert not same_mailbox("taro@example.jp", "jiro@example.jp")
