from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectMultipleField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.checkin.models import PointKind
from eventapp.checkin.organising import POINT_CODE, POINT_CODE_MAX_LENGTH, POINT_NAME_MAX_LENGTH
from eventapp.checkin.services import DEVICE_NAME_MAX_LENGTH
from eventapp.forms_common import ChoiceRadioField, ChoiceSelectField, MaxLength, Required, field_label
from eventapp.text import normalize_text


class DeviceForm(FlaskForm):
    name = StringField(_l("Device name"), filters=[normalize_text],
                       validators=[Required(), MaxLength(DEVICE_NAME_MAX_LENGTH)])
    point = ChoiceSelectField(_l("Check-in point"), choices=[], validators=[Required()])


def _point_code(form, field: Field) -> None:
    if field.data and not POINT_CODE.match(field.data):
        raise ValidationError(_l(
            "%(field)s: please use lower-case latin letters, digits, - and _ only, starting with a letter or "
            "digit (for example party).", field=field_label(field)))


def _lower(value: str | None) -> str:
    return normalize_text(value).lower()


class CategoryBoxes(SelectMultipleField):
    """The event's categories as checkboxes; a value that is none of them names the field."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        known = {choice.value for choice in self._iter_choices_normalized()}
        if any(value not in known for value in self.data or []):
            raise ValidationError(_l("%(field)s: please choose from the list.", field=field_label(self)))


KIND_LABELS = {PointKind.DOOR: _l("Entrance (受付)"), PointKind.PARTY: _l("Networking party (懇親会)"),
               PointKind.ROOM: _l("Room or area")}


class PointForm(FlaskForm):
    """A check-in point's settings; `code` only when the point is new (it is fixed after)."""

    code = StringField(_l("Point code"), filters=[_lower],
                       validators=[Required(), MaxLength(POINT_CODE_MAX_LENGTH), _point_code])
    name_ja = StringField(_l("Name (Japanese)"), filters=[normalize_text],
                          validators=[Required(), MaxLength(POINT_NAME_MAX_LENGTH)])
    name_en = StringField(_l("Name (English)"), filters=[normalize_text],
                          validators=[MaxLength(POINT_NAME_MAX_LENGTH)])
    kind = ChoiceRadioField(_l("Kind of point"), choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
                            default=PointKind.DOOR.value, validators=[Required()])
    categories = CategoryBoxes(_l("Only these categories"), choices=[])
    party_only = BooleanField(_l("Only people who booked the networking party (懇親会)"))
    prints_badges = BooleanField(_l("Print the badge on arrival for anyone whose badge was not printed"))
