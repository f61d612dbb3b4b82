"""Slack's action, to its documented Web API: chat.postMessage to the channel chosen when connecting."""
from __future__ import annotations

from dashboard.integrations.actions.base import Action, ActionFailed, Parameter, ProviderAPI


def notify_team(api: ProviderAPI, data: dict, args: dict) -> str:
    channel = (data.get("slack") or {}).get("channel_id")
    if not channel:
        raise ActionFailed("No Slack channel was chosen for this connection; reconnect Slack to choose one.")
    status, answer = api.call("POST", "/chat.postMessage", {"channel": channel, "text": args["message"]})
    if status != 200 or not answer.get("ok"):
        raise ActionFailed(f"Slack did not post the message ({answer.get('error') or status}).")
    return f"Told the team in {(data.get('slack') or {}).get('channel') or 'Slack'}."


ACTIONS = {action.name: action for action in (
    Action("notifyTeam", "Tell the business's team in Slack that a visitor needs a person.", (
        Parameter("message", "Who the visitor is, how to reach them and what they need.",
                  {"type": "string", "minLength": 1, "maxLength": 3000}),
    ), notify_team, "post to the channel chosen when connecting"),
)}
