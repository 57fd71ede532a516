from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, Regexp

from eventapp.events.models import TOKYO, EventStatus
from eventapp.events.services import EventDetails
from eventapp.forms_common import ChoiceSelectField, MaxLength, Required
from eventapp.text import normalize_multiline, normalize_text

TEXT = [normalize_text]


def _after(other_name: str):
    def check(form, field) -> None:
        other = form[other_name]
        if field.data and other.data and field.data <= other.data:
            raise ValidationError(_l("%(field)s: must be after %(other)s.", field=str(field.label.text),
                                     other=str(other.label.text)))
    return check


def _tokyo(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=TOKYO) if value else None


def _tokyo_required(value: datetime | None) -> datetime:
    if value is None:
        raise ValueError("details() is for a validated form: this field is required")
    return value.replace(tzinfo=TOKYO)


class EventForm(FlaskForm):
    slug = StringField(_l("Slug (URL name)"), filters=TEXT, validators=[
        Required(), MaxLength(60),
        Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Slug (URL name): use lower-case letters, digits and hyphens."))])
    title_ja = StringField(_l("Title (Japanese)"), filters=TEXT, validators=[Required(), MaxLength(200)])
    title_en = StringField(_l("Title (English)"), filters=TEXT, validators=[MaxLength(200)])
    edition = IntegerField(_l("Edition (第N回)"), validators=[Required(), NumberRange(min=1, max=999, message=_l(
        "Edition (第N回): enter a number from 1 to 999."))])
    fiscal_year = IntegerField(_l("Fiscal year (年度)"), validators=[Required(), NumberRange(
        min=2000, max=2100, message=_l("Fiscal year (年度): enter the Western year, for example 2026."))])
    event_date = DateField(_l("Date"), validators=[Required()])
    doors_time = TimeField(_l("Doors open"), validators=[Required()])
    start_time = TimeField(_l("Starts"), validators=[Required()])
    end_time = TimeField(_l("Ends"), validators=[Required(), _after("start_time")])
    venue_name = StringField(_l("Venue"), filters=TEXT, validators=[Required(), MaxLength(200)])
    venue_address = StringField(_l("Venue address"), filters=TEXT, validators=[MaxLength(300)])
    venue_access = TextAreaField(_l("Access"), filters=[normalize_multiline], validators=[MaxLength(2000)])
    venue_name_en = StringField(_l("Venue (English)"), filters=TEXT, validators=[MaxLength(200)])
    venue_address_en = StringField(_l("Venue address (English)"), filters=TEXT, validators=[MaxLength(300)])
    venue_access_en = TextAreaField(_l("Access (English)"), filters=[normalize_multiline], validators=[MaxLength(2000)])
    venue_map_url = StringField(_l("Map link"), filters=TEXT, validators=[MaxLength(500), Optional(), Regexp(
        r"^https?://", message=_l("Map link: enter a web address starting with https://"))])
    description_ja = TextAreaField(_l("Description (Japanese)"), filters=[normalize_multiline],
                                   validators=[MaxLength(5000)])
    description_en = TextAreaField(_l("Description (English)"), filters=[normalize_multiline],
                                   validators=[MaxLength(5000)])
    capacity = IntegerField(_l("Capacity"), validators=[Required(), NumberRange(min=1, max=100000, message=_l(
        "Capacity: enter a number of people from 1 to 100,000."))])
    registration_opens_at = DateTimeLocalField(_l("Registration opens"), validators=[Required()])
    registration_closes_at = DateTimeLocalField(_l("Registration closes"),
                                                validators=[Required(), _after("registration_opens_at")])
    edit_deadline_at = DateTimeLocalField(_l("Changes allowed until"), validators=[Optional()])
    contact_email = StringField(_l("Contact e-mail"), filters=TEXT, validators=[MaxLength(254)])
    status = ChoiceSelectField(_l("Status"), choices=[
        SelectChoice(EventStatus.DRAFT.value, _l("Draft")), SelectChoice(EventStatus.PUBLISHED.value, _l("Published")),
        SelectChoice(EventStatus.CLOSED.value, _l("Closed"))])

    def details(self) -> EventDetails:
        return EventDetails(
            slug=self.slug.data, title_ja=self.title_ja.data, title_en=self.title_en.data or "",
            edition=self.edition.data, fiscal_year=self.fiscal_year.data, event_date=self.event_date.data,
            doors_time=self.doors_time.data, start_time=self.start_time.data, end_time=self.end_time.data,
            venue_name=self.venue_name.data, venue_address=self.venue_address.data or "",
            venue_access=self.venue_access.data or "", venue_map_url=self.venue_map_url.data or "",
            description_ja=self.description_ja.data or "", description_en=self.description_en.data or "",
            capacity=self.capacity.data, registration_opens_at=_tokyo_required(self.registration_opens_at.data),
            registration_closes_at=_tokyo_required(self.registration_closes_at.data),
            edit_deadline_at=_tokyo(self.edit_deadline_at.data), status=EventStatus(self.status.data),
            contact_email=self.contact_email.data or "", venue_name_en=self.venue_name_en.data or "",
            venue_address_en=self.venue_address_en.data or "", venue_access_en=self.venue_access_en.data or "",
        )

    def fill_from(self, details: EventDetails) -> None:
        for name, value in vars(details).items():
            if isinstance(value, datetime):
                value = value.astimezone(TOKYO).replace(tzinfo=None)
            if name == "status":
                value = value.value
            self[name].data = value
