"""What events tell the features above them. A receiver runs inside the sender's transaction, with the
event row locked."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Sent with the event as sender and session=, now= after its capacities may have grown:
# registration fills the free seats from the waiting list.
seats_changed = _signals.signal("seats-changed")

# Sent with the new event as sender and session= once it is flushed: check-in gives it its 受付 point.
event_created = _signals.signal("event-created")
