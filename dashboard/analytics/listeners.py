"""Analytics hears from the domains below: each change a chart counts moves the rollups in its own transaction."""
from __future__ import annotations

from dashboard.analytics.rollups import rebuild_later, refresh
from dashboard.signals import analysis_stored, conversation_ended, conversation_measured, email_sent, time_zone_changed


@conversation_ended.connect
@conversation_measured.connect
@analysis_stored.connect
def _conversation_changed(_sender, session_id: int, **_) -> None:
    refresh(session_id)


@email_sent.connect
def _email_changed(_sender, session_id: int | None = None, **_) -> None:
    if session_id is not None:
        refresh(session_id)


@time_zone_changed.connect
def _days_moved(_sender, customer_id: int, **_) -> None:
    rebuild_later(customer_id)
