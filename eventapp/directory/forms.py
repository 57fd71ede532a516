"""Forms for exchange groups and companies: shape and normalisation; rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, SelectMultipleField, StringField, TextAreaField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.directory import values
from eventapp.directory.industries import industries
from eventapp.directory.models import ExchangeGroup
from eventapp.directory.services import READING_MAX_LENGTH, CompanyDetails, GroupDetails
from eventapp.forms_common import MaxLength, Required, field_label, katakana_reading
from eventapp.tabular import ACCEPTED_FILES
from eventapp.text import normalize_multiline, normalize_text, to_katakana_reading

TEXT = [normalize_text]
KANA = [to_katakana_reading]
MULTILINE = [normalize_multiline]


def year(form, field: Field) -> None:
    try:
        field.parsed = values.parse_year(field.data)
    except ValueError as exc:
        raise ValidationError(_l(
            "%(field)s: please enter a year from %(first)d to %(last)d, for example 1987 or 昭和62年.",
            field=field_label(field), first=values.FIRST_YEAR, last=values.LAST_YEAR)) from exc


def website(form, field: Field) -> None:
    try:
        field.data = values.parse_website(field.data)
    except ValueError as exc:
        raise ValidationError(_l("%(field)s: please enter a web address starting with https:// or http://.",
                                 field=field_label(field))) from exc


def at_least_one(form, field: Field) -> None:
    if not field.data:
        raise ValidationError(_l("%(field)s: please tick at least one group.", field=field_label(field)))


at_least_one.field_flags = {"required": True}  # type: ignore[attr-defined]


class ChoiceField(SelectField):
    """A select whose unknown values (a tampered form) get a message naming the field."""

    def pre_validate(self, form) -> None:
        if self.data not in {str(value) for value, *_ in self.choices}:
            raise ValidationError(_l("%(field)s: please choose one of the options.", field=field_label(self)))


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes; values are ids."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        def is_id(value: str) -> bool:
            return value.isascii() and value.isdigit() and len(value) <= 10

        self.invalid_values = [v for v in valuelist if not is_id(v)]
        self.data = sorted({int(v) for v in valuelist if is_id(v)})

    def pre_validate(self, form) -> None:
        known = {value for value, *_ in self.choices}
        if getattr(self, "invalid_values", None) or any(v not in known for v in self.data or []):
            raise ValidationError(_l("%(field)s: please choose from the list.", field=field_label(self)))


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), filters=TEXT, validators=[Required(), MaxLength(100)],
                       render_kw={"autocomplete": "off"})
    reading = StringField(_l("Group name (katakana)"), filters=KANA,
                          validators=[Required(), MaxLength(READING_MAX_LENGTH), katakana_reading],
                          render_kw={"autocomplete": "off", "placeholder": "プラザロクジュウニ"})
    founded_year = StringField(_l("Founded (year)"), filters=TEXT, validators=[MaxLength(10), year],
                               render_kw={"autocomplete": "off", "placeholder": "1987"})
    representative = StringField(_l("Representative (代表幹事)"), filters=TEXT, validators=[MaxLength(100)],
                                 render_kw={"autocomplete": "off"})
    website = StringField(_l("Website"), filters=TEXT, validators=[MaxLength(300), website],
                          render_kw={"inputmode": "url", "placeholder": "https://"})
    description = TextAreaField(_l("Introduction"), filters=MULTILINE, validators=[MaxLength(2000)])

    def details(self) -> GroupDetails:
        return GroupDetails(name=self.name.data, reading=self.reading.data,
                            founded_year=values.parse_year(self.founded_year.data),
                            website=self.website.data or "", description=self.description.data or "",
                            representative=self.representative.data or "")

    def fill_from(self, details: GroupDetails) -> None:
        for name, value in vars(details).items():
            self[name].data = value
        self.founded_year.data = str(details.founded_year or "")


class CompanyForm(FlaskForm):
    name = StringField(_l("Company name"), filters=TEXT, validators=[Required(), MaxLength(120)],
                       render_kw={"autocomplete": "off", "placeholder": "株式会社サンプル製作所"})
    reading = StringField(_l("Company name (katakana)"), filters=KANA,
                          validators=[MaxLength(READING_MAX_LENGTH), katakana_reading],
                          render_kw={"autocomplete": "off", "placeholder": "サンプルセイサクショ"})
    industry_code = ChoiceField(_l("Industry (JSIC)"), choices=[])
    group_ids = CheckboxesField(_l("Exchange groups"), choices=[], validators=[at_least_one])
    website = StringField(_l("Website"), filters=TEXT, validators=[MaxLength(300), website],
                          render_kw={"inputmode": "url", "placeholder": "https://"})
    description = TextAreaField(_l("Introduction"), filters=MULTILINE, validators=[MaxLength(2000)])

    def setup_choices(self, *, groups: list[ExchangeGroup], locale: str) -> None:
        self.industry_code.choices = [("", _l("— choose —"))] + [
            (i.code, f"{i.code} {i.name(locale)}") for i in industries()]
        self.group_ids.choices = [(g.id, g.name) for g in groups]

    def details(self) -> CompanyDetails:
        return CompanyDetails(name=self.name.data, reading=self.reading.data or "",
                              industry_code=self.industry_code.data or "", website=self.website.data or "",
                              description=self.description.data or "", group_ids=list(self.group_ids.data or []))

    def fill_from(self, details: CompanyDetails) -> None:
        for name, value in vars(details).items():
            self[name].data = value


class ImportForm(FlaskForm):
    file = FileField(_l("File (Excel or CSV)"), validators=[FileRequired(message=_l(
        "File (Excel or CSV): please choose the file to upload."))], render_kw={"accept": ACCEPTED_FILES})


class DeleteForm(FlaskForm):
    """A button with nothing but CSRF."""
