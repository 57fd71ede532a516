from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from eventapp.checkin.services import DEVICE_NAME_MAX_LENGTH
from eventapp.forms_common import ChoiceSelectField, MaxLength, Required
from eventapp.text import normalize_text


class DeviceForm(FlaskForm):
    name = StringField(_l("Device name"), filters=[normalize_text],
                       validators=[Required(), MaxLength(DEVICE_NAME_MAX_LENGTH)])
    point = ChoiceSelectField(_l("Check-in point"), choices=[], validators=[Required()])
