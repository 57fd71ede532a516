"""Every feature's models, imported so metadata and migrations see them all."""

from eventapp.accounts.models import Role, User
from eventapp.badges.models import BadgeDesign, SheetLayout
from eventapp.checkin.models import CheckinDevice, CheckinEntry, CheckinPoint
from eventapp.directory.models import Company, ExchangeGroup, company_groups
from eventapp.events.models import CategoryCode, Event, EventCategory, EventStatus
from eventapp.jobs.models import JobRecord, JobStatus
from eventapp.mail.models import OutboxAttachment, OutboxMessage, OutboxStatus
from eventapp.registration.models import Registration, RegistrationChange, RegistrationStatus, RetiredToken

__all__ = [
    "BadgeDesign", "CheckinDevice", "CheckinEntry", "CheckinPoint", "RetiredToken", "JobRecord", "JobStatus", "SheetLayout",
    "CategoryCode", "Company", "Event", "EventCategory", "EventStatus", "ExchangeGroup", "OutboxAttachment",
    "OutboxMessage", "OutboxStatus", "Registration", "RegistrationChange", "RegistrationStatus", "Role", "User",
    "company_groups",
]
