"""The actions this server implements for each app (by slug); catalog.yaml picks which an app offers."""
from dashboard.integrations.actions import google_calendar, hubspot, slack
from dashboard.integrations.actions.base import Action, ActionFailed, ProviderAPI

ACTIONS: dict[str, dict[str, Action]] = {
    "google-calendar": google_calendar.ACTIONS,
    "hubspot": hubspot.ACTIONS,
    "slack": slack.ACTIONS,
}

__all__ = ["ACTIONS", "Action", "ActionFailed", "ProviderAPI"]
