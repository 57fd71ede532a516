from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.forms_common import MaxLength, Required
from eventapp.text import normalize_text


class BadgeBatchForm(FlaskForm):
    categories = SelectMultipleField(_l("Attendance categories"), choices=[], coerce=str,
                                     widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    group_id = SelectField(_l("Exchange group"), choices=[], coerce=str)
    not_printed_only = BooleanField(_l("Only badges not printed yet"))
    registered_since = DateTimeLocalField(_l("Registered since (Tokyo time)"), validators=[Optional()])
    order = RadioField(_l("Order"), default="gojuon", choices=[
        SelectChoice("gojuon", _l("五十音 (by furigana)")), SelectChoice("company", _l("Company (五十音)")),
        SelectChoice("group", _l("Exchange group")), SelectChoice("receipt", _l("Reception number"))])
    sheet = SelectField(_l("Sheet"), choices=[], validators=[Required()])


def _mm(label, minimum: int = 0):
    return FloatField(label, validators=[Required(), NumberRange(min=minimum, max=2000, message=_l(
        "%(field)s: enter millimetres from %(min)s to %(max)s.", field=label, min=minimum, max=2000))])


class SheetLayoutForm(FlaskForm):
    name = StringField(_l("Name (used on the command line)"), filters=[normalize_text], validators=[
        Required(), MaxLength(60), Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l(
            "Name (used on the command line): use lower-case letters, digits and hyphens."))])
    label_ja = StringField(_l("Description (Japanese)"), filters=[normalize_text], validators=[Required(), MaxLength(100)])
    label_en = StringField(_l("Description (English)"), filters=[normalize_text], validators=[MaxLength(100)])
    design = SelectField(_l("Badge design"), choices=[
        SelectChoice("card", _l("Business-card size (QR beside the name)")),
        SelectChoice("large", _l("A6 and larger (QR below the name)"))])
    page_width_mm = _mm(_l("Page width (mm)"), 10)
    page_height_mm = _mm(_l("Page height (mm)"), 10)
    label_width_mm = _mm(_l("Label width (mm)"), 10)
    label_height_mm = _mm(_l("Label height (mm)"), 10)
    columns = IntegerField(_l("Labels across"), validators=[Required(), NumberRange(min=1, max=20, message=_l(
        "Labels across: enter a number from 1 to 20."))])
    rows = IntegerField(_l("Labels down"), validators=[Required(), NumberRange(min=1, max=40, message=_l(
        "Labels down: enter a number from 1 to 40."))])
    margin_left_mm = _mm(_l("Left margin (mm)"))
    margin_top_mm = _mm(_l("Top margin (mm)"))
    pitch_x_mm = _mm(_l("Horizontal pitch (mm)"), 1)
    pitch_y_mm = _mm(_l("Vertical pitch (mm)"), 1)


class PrintOneBadgeForm(FlaskForm):
    sheet = SelectField(_l("Sheet"), choices=[])
