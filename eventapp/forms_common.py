"""Validators shared by forms: every message names the field and says what to do."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, RadioField, SelectField, ValidationError

from eventapp.emails import (
    ADDRESS_MAX_LENGTH,
    LOCAL_PART_MAX_LENGTH,
    AddressProblem,
    InvalidAddress,
    normalize_address,
)
from eventapp.text import digits_only, format_phone, is_katakana_reading, is_valid_phone

_ROMAJI = re.compile(r"^[A-Za-z][A-Za-z .'\-]*$")


def field_label(field: Field) -> str:
    return str(field.label.text)


class Required:
    def __init__(self) -> None:
        self.field_flags = {"required": True}

    def __call__(self, form, field: Field) -> None:
        if field.data is None or (isinstance(field.data, str) and not field.data.strip()) or field.data is False:
            field.errors[:] = []
            if isinstance(field, BooleanField):
                raise ValidationError(_l("%(field)s: please tick this box to continue.", field=field_label(field)))
            if isinstance(field, RadioField | SelectField):
                raise ValidationError(_l("%(field)s: please choose one.", field=field_label(field)))
            raise ValidationError(_l("%(field)s: please fill this in.", field=field_label(field)))


class MaxLength:
    def __init__(self, maximum: int) -> None:
        self.maximum = maximum
        self.field_flags = {"maxlength": maximum}

    def __call__(self, form, field: Field) -> None:
        length = len(field.data or "")
        if length > self.maximum:
            raise ValidationError(_l(
                "%(field)s: please use at most %(max)d characters (now %(length)d).",
                field=field_label(field), max=self.maximum, length=length))


def _invalid_choice_message(field: Field):
    return _l("%(field)s: please choose one of the options shown.", field=field_label(field))


class ChoiceSelectField(SelectField):
    """A select whose value must be one of its options; anything else (a crafted post) names the field."""

    def pre_validate(self, form) -> None:
        self.invalid_choice_message = _invalid_choice_message(self)
        super().pre_validate(form)


class ChoiceRadioField(RadioField):
    """Radio buttons whose value must be one of its options; anything else names the field."""

    def pre_validate(self, form) -> None:
        self.invalid_choice_message = _invalid_choice_message(self)
        super().pre_validate(form)


def katakana_reading(form, field: Field) -> None:
    if field.data and not is_katakana_reading(field.data):
        raise ValidationError(_l(
            "%(field)s: please write the reading in katakana or hiragana (for example ヤマダ).",
            field=field_label(field)))


def romaji(form, field: Field) -> None:
    if field.data and not _ROMAJI.match(field.data):
        raise ValidationError(_l(
            "%(field)s: please use latin letters only, family name first (for example YAMADA Taro).",
            field=field_label(field)))


def email_address(form, field: Field) -> None:
    raw = field.raw_data[0] if field.raw_data else ""
    if "＠" in raw:
        field.data = raw  # show what was typed, so the ＠ the message speaks of is visible
        raise ValidationError(_l(
            "%(field)s: the ＠ is full-width. Please type the address with a half-width @.",
            field=field_label(field)))
    if not field.data:
        return
    try:
        field.data = normalize_address(
            field.data, allow_non_ascii_local_part=bool(current_app.config.get("MAIL_SMTPUTF8")))
    except InvalidAddress as exc:
        raise ValidationError(_address_problem_message(exc, field_label(field))) from exc


def _address_problem_message(problem: InvalidAddress, label: str):
    if problem.problem == AddressProblem.NO_AT:
        return _l("%(field)s: an e-mail address needs an @, for example taro@example.co.jp.", field=label)
    if problem.problem == AddressProblem.LOCAL_PART_TOO_LONG:
        return _l("%(field)s: the part before the @ may have at most %(max)d characters (now %(length)d). "
                  "Please check the address.", field=label, max=LOCAL_PART_MAX_LENGTH, length=problem.length)
    if problem.problem == AddressProblem.TOO_LONG:
        return _l("%(field)s: an e-mail address may have at most %(max)d characters as sent (this one has "
                  "%(length)d). Please check the address.", field=label, max=ADDRESS_MAX_LENGTH,
                  length=problem.length)
    if problem.problem == AddressProblem.NON_ASCII_LOCAL_PART:
        return _l("%(field)s: this address has Japanese (or other non-ASCII) characters before the @, which our "
                  "mail server cannot deliver. Please enter an address in half-width letters and digits.",
                  field=label)
    if problem.problem == AddressProblem.BAD_DOMAIN:
        return _l("%(field)s: the part after the @ is not a valid domain (for example example.co.jp). "
                  "Please check it.", field=label)
    return _l("%(field)s: the part before the @ has characters or dots an address cannot have (for example two "
              "dots in a row). Please check it.", field=label)


def phone_number(form, field: Field) -> None:
    if not field.data:
        return
    digits = digits_only(field.data)
    if digits is None or not is_valid_phone(digits):
        raise ValidationError(_l(
            "%(field)s: please enter a Japanese number of 10 or 11 digits, for example 03-1234-5678.",
            field=field_label(field)))
    field.data = digits
    field.display = format_phone(digits)


def postcode(form, field: Field) -> None:
    if not field.data:
        return
    digits = digits_only(field.data)
    if digits is None or len(digits) != 7:
        raise ValidationError(_l("%(field)s: please enter 7 digits, for example 135-0064.",
                                 field=field_label(field)))
    field.data = digits


def csrf_token_refused(form: FlaskForm) -> bool:
    """For a view exempt from CSRFProtect (`csrf.exempt`) so that it can show its form again, with what was
    typed, when the CSRF token is missing, wrong or expired: whether a submitted form's own token is refused.
    Such a view asks this first, before it does anything with what was sent."""
    if not form.is_submitted() or not form.meta.csrf:
        return False
    return not form.csrf_token.validate(form)


class ConfirmForm(FlaskForm):
    """A button with nothing but CSRF (cancel, restore, resend)."""
