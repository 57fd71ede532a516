"""E-mail addresses: the one place that decides what an address is, how it is kept and how it is sent.

Kept (in the database, on every page): email-validator's normalised form. The local part as typed (NFC),
the domain lower-cased and in Unicode, even when typed in punycode: ``Taro@例え.jp``. Organisers read what
the person typed, and one mailbox has one spelling, so the duplicate check holds.
Sent: the same address with the domain in punycode (``Taro@xn--r8jz45g.jp``), made at send time by
`address_for_smtp`. Any relay takes that; only a local part that is not ASCII needs SMTPUTF8, which many
relays do not offer, so forms accept such addresses only when the relay is configured for them.
"""

from __future__ import annotations

import enum

from email_validator import EmailNotValidError, validate_email

LOCAL_PART_MAX_LENGTH = 64  # RFC 5321 4.5.3.1.1
ADDRESS_MAX_LENGTH = 254  # RFC 5321's path limit less the angle brackets, in octets as sent


class AddressProblem(enum.StrEnum):
    NO_AT = "no_at"
    LOCAL_PART_TOO_LONG = "local_part_too_long"
    TOO_LONG = "too_long"
    NON_ASCII_LOCAL_PART = "non_ascii_local_part"
    BAD_DOMAIN = "bad_domain"
    BAD_LOCAL_PART = "bad_local_part"


class InvalidAddress(ValueError):
    def __init__(self, problem: AddressProblem, *, length: int = 0, detail: str = "") -> None:
        super().__init__(detail or problem.value)
        self.problem = problem
        self.length = length  # for the length problems: the length found
        self.detail = detail  # email-validator's own words (English), for logs and the outbox


def normalize_address(text: str, *, allow_non_ascii_local_part: bool) -> str:
    """The form an address is kept in. Raises InvalidAddress saying what is wrong."""
    local, at, domain = text.rpartition("@")
    if not at:
        raise InvalidAddress(AddressProblem.NO_AT)
    if len(local) > LOCAL_PART_MAX_LENGTH:
        raise InvalidAddress(AddressProblem.LOCAL_PART_TOO_LONG, length=len(local))
    try:
        valid = validate_email(text, check_deliverability=False, allow_smtputf8=True, strict=True)
    except EmailNotValidError as exc:
        raise _explained(local, domain, exc) from exc
    if valid.smtputf8 and not allow_non_ascii_local_part:
        raise InvalidAddress(AddressProblem.NON_ASCII_LOCAL_PART)
    return valid.normalized


def address_for_smtp(address: str) -> str:
    """The address as it goes on the wire: the domain in punycode, the local part as it is."""
    try:
        valid = validate_email(address, check_deliverability=False, allow_smtputf8=True, strict=True)
    except EmailNotValidError as exc:
        local, _, domain = address.rpartition("@")
        raise _explained(local, domain, exc) from exc
    return f"{valid.local_part}@{valid.ascii_domain}"


def same_mailbox(first: str, second: str) -> bool:
    """Whether two spellings are one address as kept (case aside; the domain in punycode or in Unicode)."""
    return _comparable(first) == _comparable(second)


def _comparable(text: str) -> str:
    try:
        return validate_email(text.strip(), check_deliverability=False, allow_smtputf8=True).normalized.lower()
    except EmailNotValidError:
        return text.strip().lower()


def needs_smtputf8(address: str) -> bool:
    return not address.isascii()


def _explained(local: str, domain: str, error: EmailNotValidError) -> InvalidAddress:
    """email-validator says what is wrong only in English prose: find which of our problems it is."""
    if len(local) > LOCAL_PART_MAX_LENGTH:
        return InvalidAddress(AddressProblem.LOCAL_PART_TOO_LONG, length=len(local), detail=str(error))
    try:
        ascii_domain = validate_email(f"x@{domain}", check_deliverability=False).ascii_domain
    except EmailNotValidError:
        return InvalidAddress(AddressProblem.BAD_DOMAIN, detail=str(error))
    length = len(f"{local}@{ascii_domain}".encode())
    if length > ADDRESS_MAX_LENGTH:
        return InvalidAddress(AddressProblem.TOO_LONG, length=length, detail=str(error))
    return InvalidAddress(AddressProblem.BAD_LOCAL_PART, detail=str(error))
