"""当日受付: someone without a registration registers at the door and is checked in at once.

The scanner sends JSON; the fields are checked by the same validators and messages as the registration
form (each message names the field and says what to do), in the device's language.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, Form, StringField

from eventapp.checkin import services
from eventapp.checkin.models import CheckinDevice, Direction
from eventapp.forms_common import ChoiceSelectField, MaxLength, Required, email_address, katakana_reading
from eventapp.registration import services as registration_services
from eventapp.registration.errors import AlreadyRegistered
from eventapp.registration.forms import KANA, TEXT
from eventapp.registration.models import RegistrationSource

_SURROGATE = re.compile("[\ud800-\udfff]")
FIELD_MAX_LENGTH = 300  # longer than any field may be: refused before the validators see it


class WalkInForm(Form):
    family_name = StringField(_l("Family name"), filters=TEXT, validators=[Required(), MaxLength(40)])
    given_name = StringField(_l("Given name"), filters=TEXT, validators=[Required(), MaxLength(40)])
    family_kana = StringField(_l("Family name (katakana)"), filters=KANA,
                              validators=[Required(), MaxLength(60), katakana_reading])
    given_kana = StringField(_l("Given name (katakana)"), filters=KANA,
                             validators=[Required(), MaxLength(60), katakana_reading])
    company_name = StringField(_l("Company or organisation"), filters=TEXT, validators=[MaxLength(120)])
    category_code = ChoiceSelectField(_l("Attendance category"), validators=[Required()], choices=[])
    email = EmailField(_l("E-mail"), filters=TEXT, validators=[MaxLength(254), email_address])


FIELDS = ("family_name", "given_name", "family_kana", "given_kana", "company_name", "category_code", "email")


@dataclass(frozen=True)
class FieldError:
    field: str
    problem: str
    message: str


class WalkInRefused(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.problem}" for e in errors))
        self.errors = errors


def read_walk_in(payload: dict[str, object], device: CheckinDevice) -> WalkInForm:
    """The form filled from the JSON; WalkInRefused lists what is wrong, field by field."""
    errors: list[FieldError] = []
    values: MultiDict[str, str] = MultiDict()
    for name in FIELDS:
        value = payload.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            label = str(getattr(WalkInForm, name).args[0])
            errors.append(FieldError(name, "wrong_type", str(_l("%(field)s: please send text.", field=label))))
        elif _SURROGATE.search(value):  # a lone half of a UTF-16 pair (JSON "\ud800"): no character at all
            label = str(getattr(WalkInForm, name).args[0])
            errors.append(FieldError(name, "unreadable", str(_l(
                "%(field)s: this contains a character that cannot be read. Please type it again.", field=label))))
        elif len(value) > FIELD_MAX_LENGTH:
            values[name] = value[:FIELD_MAX_LENGTH + 1]  # MaxLength names the field and the limit
        else:
            values[name] = value
    form = WalkInForm(formdata=values)
    form.category_code.choices = [(c.code.value, c.label("ja")) for c in device.event.categories]
    if not form.validate():
        named = {error.field for error in errors}  # sent unusable: not also "please fill this in"
        errors += [FieldError(str(name), "invalid", str(messages[0]))
                   for name, messages in form.errors.items() if name not in named]
    if errors:
        raise WalkInRefused(errors)
    return form


def _submission_id(device: CheckinDevice, nonce: str) -> str:
    return "walk-in:" + hashlib.sha256(f"{device.id}:{nonce}".encode()).hexdigest()[:48]


def register_walk_in(session: Session, device: CheckinDevice, form: WalkInForm, *, nonce: str,
                     now: datetime) -> services.ScanOutcome:
    """Register (confirmed, whatever the count: the door decides) and admit, once per device and nonce: the
    same request again gives the same registration and the first answer."""
    answers = registration_services.RegistrationAnswers(
        category_code=form.category_code.data, family_name=form.family_name.data,
        given_name=form.given_name.data, family_kana=form.family_kana.data, given_kana=form.given_kana.data,
        company_name=form.company_name.data or "", email=form.email.data or "")
    try:
        outcome = registration_services.register(
            session, device.event, answers=answers, now=now, submission_id=_submission_id(device, nonce),
            source=RegistrationSource.WALK_IN, actor=f"device:{device.name}"[:120], notify=bool(answers.email))
    except AlreadyRegistered as exc:
        raise WalkInRefused([FieldError("email", "already_registered", str(_l(
            "%(field)s: someone with this address is already registered (受付番号 %(code)s). Look them up "
            "with the search instead.", field=str(form.email.label.text), code=exc.registration.receipt_code)))]) from exc
    scan = services.ScanRequest(nonce=nonce, direction=Direction.IN, scanned_at=now,
                                registration_id=outcome.registration.id)
    return services.record_scan(session, device, scan, now=now)
