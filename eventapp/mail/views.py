"""The outbox, readable by organisers."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from eventapp.accounts.auth import organiser_required
from eventapp.db import current_session, db
from eventapp.forms_common import ConfirmForm
from eventapp.mail.models import FailureReason, OutboxAttachment, OutboxMessage, OutboxStatus
from eventapp.mail.services import outbox_statement, retry_now
from eventapp.web import page_arg, paginate

bp = Blueprint("mail", __name__, url_prefix="/admin/outbox")

# Stored as a code, explained here at display time: each organiser reads it in the page's language.
FAILURE_EXPLANATIONS = {
    FailureReason.RECIPIENT_REFUSED: _l(
        "The recipient's mail server refused this address (it may not exist, or may be mistyped). Sending it "
        "again will not help: check the address with the person."),
    FailureReason.SENDER_REFUSED: _l(
        "The mail server refused our sender address (MAIL_FROM). Ask whoever runs the mail server, then send "
        "again."),
    FailureReason.MESSAGE_REFUSED: _l(
        "The mail server refused the message itself (for example as too large, or as spam)."),
    FailureReason.SMTPUTF8_UNSUPPORTED: _l(
        "The address has Japanese (or other non-ASCII) characters before the @, and our mail server cannot "
        "carry them (it does not offer SMTPUTF8). Ask the person for an address in half-width letters and "
        "digits."),
    FailureReason.NOT_COMPOSED: _l(
        "The message could not be written: what it was about no longer exists (a deleted registration)."),
    FailureReason.INVALID_ADDRESS: _l(
        "This is not a valid e-mail address, so the message cannot be sent. Check the address with the person."),
    FailureReason.TEMPORARILY_REFUSED: _l(
        "The mail server asked us to try again later (a temporary refusal)."),
    FailureReason.CONNECTION_FAILED: _l(
        "Could not connect to the mail server (MAIL_URL), or it broke off the connection."),
    FailureReason.TIMEOUT: _l("The mail server did not answer in time."),
    FailureReason.LOGIN_FAILED: _l(
        "The mail server refused our login: check the user name and password in MAIL_URL."),
    FailureReason.SERVER_ERROR: _l("The mail server reported an error."),
}


@bp.app_template_global()
def mail_failure_explanation(message: OutboxMessage) -> str:
    return str(FAILURE_EXPLANATIONS[message.failure_reason]) if message.failure_reason else ""


@bp.get("/")
@organiser_required
def index():
    status = request.args.get("status", "")
    status = status if status in {s.value for s in OutboxStatus} else ""
    result = paginate(outbox_statement(OutboxStatus(status) if status else None), page=page_arg())
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render_template("mail/outbox.html", result=result, counts=counts, status=status, Status=OutboxStatus)


@bp.get("/<id:message_id>")
@organiser_required
def show(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("mail/message.html", message=message, form=ConfirmForm())


@bp.get("/<id:message_id>/attachments/<id:attachment_id>")
@organiser_required
def attachment(message_id: int, attachment_id: int):
    item = db.session.get(OutboxAttachment, attachment_id)
    if item is None or item.message_id != message_id:
        abort(404)
    return Response(item.content, mimetype=item.content_type,
                    headers={"Content-Disposition": f'inline; filename="{item.filename}"'})


@bp.post("/<id:message_id>/retry")
@organiser_required
def retry(message_id: int):
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    if ConfirmForm().validate_on_submit() and message.status in (OutboxStatus.FAILED, OutboxStatus.HELD):
        retry_now(current_session(), message)
        db.session.commit()
        flash(_("The message will be sent again."), "success")
    return redirect(url_for("mail.show", message_id=message.id))
