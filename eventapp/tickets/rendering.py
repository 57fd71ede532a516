"""The 受付票 (reception ticket): one A4 page per confirmed registration, with the QR code the door scans.

Attached to the confirmation and promotion e-mails and downloadable from the private link. Every text
whose length varies (names, company, event texts) is measured here with the print fonts (text_wrap) and
given lines and a size that fit its box, so a long company or name never pushes the ticket onto a
second page. The boxes here and in pdf_templates/tickets/ticket.css go together.

The ticket is in the attendee's language (Registration.locale), the same whether mailed or downloaded: in
Japanese with English beside each label, or in English (the event's English title, venue and access where
it has them, English dates) with Japanese beside the labels for the reception.
"""

from __future__ import annotations

from dataclasses import dataclass

from eventapp.i18n import fiscal_year_label, format_date, format_time
from eventapp.printing import render_pdf
from eventapp.printing.text_fit import FittedText, printable
from eventapp.printing.text_wrap import fit_box
from eventapp.qr import qr_data_uri
from eventapp.registration.models import Registration, RegistrationStatus

TEMPLATE = "tickets/ticket.html"
STYLESHEETS = ("print.css", "tickets/ticket.css")
TRADEMARK = "QRコードは株式会社デンソーウェーブの登録商標です"
TRADEMARK_EN = "QR Code is a registered trademark of DENSO WAVE INCORPORATED."

# Widths (mm) of the boxes in ticket.css, less 4 % the renderer may need beyond the measured advances.
SLACK = 0.96
TEXT_WIDTH_MM = 186 * SLACK  # the A4 page inside its 12 mm margins
PERSON_WIDTH_MM = (186 - 2 * 5 - 0.7) * SLACK  # inside the person box's border and padding
DETAIL_WIDTH_MM = (186 - 36) * SLACK  # the value column of the date / venue table
INFO_WIDTH_MM = ((186 - 6) / 2 - 4.5) * SLACK  # one column of what to bring / notes, inside the list
CATEGORY_WIDTH_MM = (186 - 62 - 8 - 0.35 - 8 - 2 * 3) * SLACK  # right of the QR code, inside the chip


class NoTicket(Exception):
    """Only confirmed registrations have a ticket (not the waiting list, not cancelled ones)."""


def has_ticket(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.CONFIRMED


def ticket_filename(registration: Registration) -> str:
    return f"ticket-{registration.receipt_code}.pdf"


@dataclass(frozen=True)
class TicketView:
    """Everything the template prints, already formatted and measured."""

    heading: str  # 第31回 · 令和8年度（2026年度） / No. 31 · FY2026
    title: FittedText  # in the ticket's language
    title_other: FittedText  # the title in the other language, smaller (none when it is the same)
    date_ja: str
    date_en: str
    doors: str
    starts: str
    ends: str
    venue: FittedText
    address: FittedText
    access: FittedText
    company: FittedText  # 会社名 部署 (no lines when there is none)
    name: FittedText  # 氏名 様
    receipt_code: str
    category: FittedText  # in the ticket's language
    category_other: str
    category_code: str
    qr_uri: str
    contact: FittedText  # the event's contact address (no lines when there is none)
    trademark: str = TRADEMARK
    lang: str = "ja"  # the ticket's language: "ja" or "en"


def _printable(text: str, *, bold: bool = False) -> str:
    """Characters no print font has print as 〓 (visibly "a character goes here"), never as nothing."""
    return printable(text, bold=bold)[0]


def ticket_view(registration: Registration, locale: str | None = None) -> TicketView:
    """The ticket in `locale`, by default the attendee's language."""
    event = registration.event
    english = (locale or registration.locale) == "en"
    lang = "en" if english else "ja"
    company = " ".join(p for p in (registration.company_name, registration.department) if p)
    # The honorific stays with the given name: a long name breaks between family and given name first.
    name = f"{registration.family_name} {registration.given_name}" + ("" if english else "\u00a0様")
    title = event.title_in(lang)
    other = event.title_in("ja" if english else "en")
    title_other = other.text if not title.fell_back and not other.fell_back and other.text != title.text else ""
    category = registration.category
    return TicketView(
        heading=(f"No. {event.edition} · {fiscal_year_label(event.fiscal_year, 'en')}" if english
                 else f"第{event.edition}回 · {fiscal_year_label(event.fiscal_year, 'ja')}"),
        title=fit_box(_printable(title.text, bold=True), width_mm=TEXT_WIDTH_MM, height_mm=16.1,
                      max_size_mm=7, min_size_mm=5, max_lines=2, bold=True, truncate=True),
        title_other=fit_box(_printable(title_other), width_mm=TEXT_WIDTH_MM, height_mm=4.7, max_size_mm=4,
                            min_size_mm=3, max_lines=1, truncate=True),
        date_ja=format_date(event.event_date, "ja"),
        date_en=format_date(event.event_date, "en"),
        doors=format_time(event.doors_time),
        starts=format_time(event.start_time),
        ends=format_time(event.end_time),
        venue=fit_box(_printable(event.venue_name_in(lang).text, bold=True), width_mm=DETAIL_WIDTH_MM,
                      height_mm=10.2, max_size_mm=4.6, min_size_mm=3.2, bold=True, truncate=True),
        address=fit_box(_printable(event.venue_address_in(lang).text), width_mm=DETAIL_WIDTH_MM, height_mm=8,
                        max_size_mm=3.8, min_size_mm=2.8, truncate=True),
        access=fit_box(_printable(event.venue_access_in(lang).text), width_mm=DETAIL_WIDTH_MM, height_mm=12,
                       max_size_mm=3.6, min_size_mm=2.6, truncate=True),
        company=fit_box(_printable(company), width_mm=PERSON_WIDTH_MM, height_mm=15, max_size_mm=6,
                        min_size_mm=4.2, max_lines=4),
        name=fit_box(_printable(name, bold=True), width_mm=PERSON_WIDTH_MM, height_mm=20, max_size_mm=11,
                     min_size_mm=7, max_lines=3, bold=True),
        receipt_code=registration.receipt_code,
        category=fit_box(_printable(category.label(lang), bold=True), width_mm=CATEGORY_WIDTH_MM,
                         height_mm=7.5, max_size_mm=6, min_size_mm=3, max_lines=1, bold=True),
        category_other=category.label("ja" if english else "en"),
        category_code=category.code.value,
        qr_uri=qr_data_uri(registration.token),
        contact=fit_box(event.contact_email, width_mm=INFO_WIDTH_MM, height_mm=8.1, max_size_mm=3.5,
                        min_size_mm=2.6, max_lines=2),
        trademark=TRADEMARK_EN if english else TRADEMARK,
        lang=lang,
    )


def render_ticket(view: TicketView) -> bytes:
    """The PDF of a ticket view; needs no database (the mail worker renders it with none open)."""
    return render_pdf(TEMPLATE, stylesheets=STYLESHEETS, t=view)


def ticket_pdf(registration: Registration) -> bytes:
    """The ticket of a confirmed registration as a one-page A4 PDF. NoTicket for anyone else."""
    if not has_ticket(registration):
        raise NoTicket(registration.id)
    return render_ticket(ticket_view(registration))
