"""The registration form (参加申込フォーム): shape and normalisation; rules live in services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from eventapp.directory.industries import industries
from eventapp.emails import same_mailbox
from eventapp.forms_common import (
    ChoiceRadioField,
    ChoiceSelectField,
    MaxLength,
    Required,
    email_address,
    katakana_reading,
    phone_number,
    postcode,
    romaji,
)
from eventapp.registration.models import EMPLOYEE_BANDS
from eventapp.registration.services import RegistrationAnswers
from eventapp.text import normalize_multiline, normalize_text, to_katakana_reading

TEXT = [normalize_text]
KANA = [to_katakana_reading]


def _email_matches(form: RegistrationForm, field) -> None:
    if field.data and form.email.data and not same_mailbox(field.data, form.email.data):
        raise ValidationError(_l("%(field)s: the two addresses differ. Please type the same address twice.",
                                 field=str(field.label.text)))


class RegistrationForm(FlaskForm):
    category = ChoiceRadioField(_l("Attendance category"), validators=[Required()], choices=[])
    family_name = StringField(_l("Family name"), filters=TEXT, validators=[Required(), MaxLength(40)],
                              render_kw={"autocomplete": "family-name"})
    given_name = StringField(_l("Given name"), filters=TEXT, validators=[Required(), MaxLength(40)],
                             render_kw={"autocomplete": "given-name"})
    family_kana = StringField(_l("Family name (katakana)"), filters=KANA,
                              validators=[Required(), MaxLength(60), katakana_reading],
                              render_kw={"autocomplete": "off", "placeholder": "ヤマダ"})
    given_kana = StringField(_l("Given name (katakana)"), filters=KANA,
                             validators=[Required(), MaxLength(60), katakana_reading],
                             render_kw={"autocomplete": "off", "placeholder": "タロウ"})
    romaji = StringField(_l("Name in latin letters"), filters=TEXT, validators=[MaxLength(80), romaji],
                         render_kw={"autocomplete": "off", "placeholder": "YAMADA Taro"})
    company_name = StringField(_l("Company or organisation"), filters=TEXT, validators=[MaxLength(120)],
                               render_kw={"autocomplete": "organization"})
    company_kana = StringField(_l("Company name (katakana)"), filters=KANA,
                               validators=[MaxLength(200), katakana_reading], render_kw={"autocomplete": "off"})
    # No autofill token names a department (HTML's "organization-title" is the job title): none here, so the
    # browser offers what was typed in this field before instead of filling in the job title twice.
    department = StringField(_l("Department"), filters=TEXT, validators=[MaxLength(100)])
    job_title = StringField(_l("Job title"), filters=TEXT, validators=[MaxLength(100)],
                            render_kw={"autocomplete": "organization-title"})
    industry_code = ChoiceSelectField(_l("Industry (JSIC)"), choices=[], validate_choice=True)
    employees_band = ChoiceSelectField(_l("Number of employees"), choices=[], validate_choice=True)
    group_id = ChoiceSelectField(_l("Exchange group"), choices=[], validate_choice=True)
    email = EmailField(_l("E-mail"), filters=TEXT, validators=[Required(), MaxLength(254), email_address],
                       render_kw={"autocomplete": "email", "inputmode": "email"})
    email_confirm = EmailField(_l("E-mail (again)"), filters=TEXT,
                               validators=[Required(), MaxLength(254), _email_matches],
                               render_kw={"autocomplete": "email", "inputmode": "email"})
    phone = TelField(_l("Phone"), filters=TEXT, validators=[Required(), MaxLength(20), phone_number],
                     render_kw={"autocomplete": "tel", "inputmode": "tel", "placeholder": "03-1234-5678"})
    postcode = StringField(_l("Postcode"), filters=TEXT, validators=[MaxLength(10), postcode],
                           render_kw={"autocomplete": "postal-code", "inputmode": "numeric",
                                      "placeholder": "135-0064"})
    address = StringField(_l("Address"), filters=TEXT, validators=[MaxLength(200)],
                          render_kw={"autocomplete": "address-line1"})  # street-address is for a textarea
    attends_party = ChoiceRadioField(_l("Networking party (懇親会)"), validators=[Required()],
                               choices=[SelectChoice("yes", _l("I will attend")),
                                        SelectChoice("no", _l("I will not attend"))])
    message = TextAreaField(_l("Message to the organisers"), filters=[normalize_multiline],
                            validators=[MaxLength(1000)])
    consent_privacy = BooleanField(_l("I agree to the use of my data for running the event (required)"),
                                   validators=[Required()])
    consent_share_with_exhibitors = BooleanField(
        _l("The attendee list with my name and company may be given to the exhibiting groups"))
    consent_name_in_programme = BooleanField(_l("My name and company may be printed in the programme"))
    consent_lead_scanning = BooleanField(
        _l("Exhibitors may scan my badge to receive my name, company and e-mail"))
    submission_id = HiddenField(validators=[Length(max=64, message=_l(  # Registration.submission_id
        "The form was damaged in transit. Please reload the page and send it again."))])

    def setup_choices(self, *, categories, groups, locale: str, seats_by_category: dict[int, int]) -> None:
        self.category.choices = [
            (c.code.value, c.label(locale), {"data-seats-left": seats_by_category.get(c.id, 0)}) for c in categories
        ]
        self.industry_code.choices = [("", _l("— choose —"))] + [(i.code, f"{i.code} {i.name(locale)}")
                                                                 for i in industries()]
        self.employees_band.choices = [("", _l("— choose —"))] + [(b, _l("%(band)s people", band=b))
                                                                  for b in EMPLOYEE_BANDS]
        self.group_id.choices = [("", _l("None / not a member"))] + [(str(g.id), g.name) for g in groups]

    def answers(self, *, locale: str) -> RegistrationAnswers:
        return RegistrationAnswers(
            category_code=self.category.data,
            family_name=self.family_name.data, given_name=self.given_name.data,
            family_kana=self.family_kana.data, given_kana=self.given_kana.data,
            romaji=self.romaji.data or "", email=self.email.data,
            company_name=self.company_name.data or "", company_kana=self.company_kana.data or "",
            department=self.department.data or "", job_title=self.job_title.data or "",
            industry_code=self.industry_code.data or "", employees_band=self.employees_band.data or "",
            group_id=int(self.group_id.data) if self.group_id.data else None,
            phone=self.phone.data or "", postcode=self.postcode.data or "", address=self.address.data or "",
            attends_party=self.attends_party.data == "yes", message=self.message.data or "",
            consent_privacy=bool(self.consent_privacy.data),
            consent_share_with_exhibitors=bool(self.consent_share_with_exhibitors.data),
            consent_name_in_programme=bool(self.consent_name_in_programme.data),
            consent_lead_scanning=bool(self.consent_lead_scanning.data),
            locale=locale,
        )

    def fill_from(self, answers: RegistrationAnswers) -> None:
        for name, value in vars(answers).items():
            if name == "category_code":
                self.category.data = value
            elif name == "attends_party":
                self.attends_party.data = "yes" if value else "no"
            elif name == "group_id":
                self.group_id.data = str(value) if value else ""
            elif name in self._fields:
                self[name].data = value
        self.email_confirm.data = answers.email


class ResendLinkForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=TEXT, validators=[Required(), MaxLength(254), email_address],
                       render_kw={"autocomplete": "email"})


