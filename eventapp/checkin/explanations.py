"""What the door staff read on the scanner for each answer, in the device's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

EXPLANATIONS = {
    None: _l("Checked in. Welcome!"),
    "checked_out": _l("Checked out."),
    "already_checked_in": _l("Already checked in: this person came in earlier. Check it is the same person."),
    "not_checked_in": _l("This person has not checked in here, so they cannot check out."),
    "already_checked_out": _l("This person has already checked out."),
    "invalid": _l("Unknown code: this is not a reception ticket of ours. Look the person up by name."),
    "reissued": _l("Old code: a new badge was issued for this person, so this one no longer works. "
                   "Ask for the new badge, or look the person up by name."),
    "wrong_event": _l("This ticket is for another event."),
    "cancelled": _l("This registration was cancelled. Send the person to the reception desk."),
    "waitlisted": _l("This person is on the waiting list and has no seat. Send them to the reception desk."),
    "not_on_list": _l("This person is not on the list for this entrance (category or 懇親会 not booked)."),
    "undone": _l("Undone: this scan no longer counts. Scan the right badge."),
    "cannot_undo": _l("This scan cannot be undone (not an admission made here, too long ago, or the person "
                      "has scanned again since)."),
    "checkin_closed": _l("Check-in here is closed. The scanner has forgotten its list; ask the organisers."),
    "rate_limited": _l("Too many requests from this scanner. Wait a moment; it will try again."),
    "not_found": _l("No such scan on this device."),
    "no_printing": _l("This check-in point does not print badges."),
    "nonce_reused": _l("The scanner sent the same request number for a different scan. Scan again."),
    "unauthorized": _l("This scanner is not paired. Pair it again with the QR code from the organisers."),
    "revoked": _l("This scanner has been switched off by the organisers. Pair it again to use it."),
    "forbidden_event": _l("This scanner is paired with another event."),
    "invalid_request": _l("The scanner sent a request the server cannot read. Scan again; if it keeps "
                          "happening, reload the scanner page."),
    "malformed_json": _l("The scanner sent a request the server cannot read. Scan again; if it keeps "
                         "happening, reload the scanner page."),
}
