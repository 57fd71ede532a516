"""Organisers' forms: the CSV upload, and the registration form as the importer uses it per row."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, TelField, ValidationError

from eventapp.forms_common import MaxLength, field_label, phone_number
from eventapp.registration.forms import TEXT, RegistrationForm
from eventapp.tabular import ACCEPTED_FILES


def _file_chosen(form, field) -> None:
    if not isinstance(field.data, FileStorage) or not field.data.filename:
        raise ValidationError(_l("%(field)s: please choose an Excel or CSV file to upload.", field=field_label(field)))


class ImportForm(FlaskForm):
    file = FileField(_l("File (Excel or CSV)"), validators=[_file_chosen], render_kw={"accept": ACCEPTED_FILES})
    notify = BooleanField(_l("Send each person the confirmation e-mail (with the QR code or the waiting-list notice)"))
    assume_privacy_consent = BooleanField(_l(
        "The sender has confirmed that everyone in the file agreed to the use of their data for running the "
        "event (counts as agreed where the consent column is empty)"))


class RegistrationImportRowForm(RegistrationForm):
    """One CSV line, checked by the web form's own filters and validators.

    Differences, because a list sent by a group is not a person at a keyboard: the address is not typed
    twice, and the phone number is optional (many member lists have none)."""

    email_confirm = None
    submission_id = None
    phone = TelField(_l("Phone"), filters=TEXT, validators=[MaxLength(20), phone_number])
