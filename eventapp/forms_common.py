"""Validators shared by forms: every message names the field and says what to do."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, RadioField, SelectField, ValidationError

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
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(_l(
            "%(field)s: this is not a valid address (%(reason)s). Please check it.",
            field=field_label(field), reason=str(exc))) from exc


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
