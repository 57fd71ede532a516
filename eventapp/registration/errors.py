"""Domain errors the registration services raise; views turn them into clear messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventapp.events.models import RegistrationWindow
    from eventapp.registration.models import Registration


class RegistrationError(Exception):
    pass


class RegistrationNotOpen(RegistrationError):
    def __init__(self, window: RegistrationWindow) -> None:
        super().__init__(str(window))
        self.window = window


class AlreadyRegistered(RegistrationError):
    def __init__(self, registration: Registration) -> None:
        super().__init__("already registered")
        self.registration = registration


class EmailTaken(RegistrationError):
    """An edit would give this registration another registration's e-mail address."""


class CategoryNotOffered(RegistrationError):
    pass


class EditingClosed(RegistrationError):
    pass


class RegistrationCancelled(EditingClosed):
    """A cancelled registration is not changed by its attendee (registering again brings it back)."""


class NotCancellable(RegistrationError):
    pass
