"""Google Calendar's actions, to its documented API (calendar/v3): freeBusy.query and events.insert."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dashboard.integrations.actions.base import Action, ActionFailed, Parameter, ProviderAPI


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ActionFailed(f"{name!r} is not a time zone; use a name like Europe/London.") from None


def check_availability(api: ProviderAPI, data: dict, args: dict) -> str:
    try:
        day = date.fromisoformat(args["date"])
    except ValueError:
        raise ActionFailed("The date must be written YYYY-MM-DD.") from None
    zone = _zone(args.get("timeZone"))
    start = datetime.combine(day, datetime.min.time(), zone)
    status, answer = api.call("POST", "/freeBusy", {
        "timeMin": start.isoformat(), "timeMax": (start + timedelta(days=1)).isoformat(),
        "timeZone": zone.key, "items": [{"id": "primary"}]})
    if status != 200:
        raise ActionFailed(f"Google Calendar refused the availability check ({status}).")
    calendar = (answer.get("calendars") or {}).get("primary") or {}
    if calendar.get("errors"):
        raise ActionFailed("Google Calendar could not read the calendar's availability.")
    busy = [(datetime.fromisoformat(b["start"]).astimezone(zone), datetime.fromisoformat(b["end"]).astimezone(zone))
            for b in calendar.get("busy") or []]
    if not busy:
        return f"The calendar is free all day on {day.isoformat()} ({zone.key})."
    spans = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in busy)
    return f"On {day.isoformat()} ({zone.key}) the calendar is busy {spans}; every other time is free."


def create_event(api: ProviderAPI, data: dict, args: dict) -> str:
    try:
        start, end = datetime.fromisoformat(args["start"]), datetime.fromisoformat(args["end"])
    except ValueError:
        raise ActionFailed("start and end must be ISO 8601 date-times with a zone, e.g. 2026-12-01T10:00:00+00:00.") \
            from None
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise ActionFailed("start and end need a time zone offset, and end must come after start.")
    event = {"summary": args["summary"], "start": {"dateTime": start.isoformat()},
             "end": {"dateTime": end.isoformat()}}
    if args.get("description"):
        event["description"] = args["description"]
    if args.get("attendeeEmail"):
        event["attendees"] = [{"email": args["attendeeEmail"]}]
    status, answer = api.call("POST", "/calendars/primary/events", event)
    if status not in (200, 201):
        raise ActionFailed(f"Google Calendar did not create the event ({status}).")
    return f"Booked \"{args['summary']}\" from {start.isoformat()} to {end.isoformat()}."


ACTIONS = {action.name: action for action in (
    Action("checkAvailability", "Check which times are busy on the business's calendar on one day.", (
        Parameter("date", "The day, as YYYY-MM-DD.", {"type": "string", "format": "date"}),
        Parameter("timeZone", "The IANA time zone to answer in, e.g. Europe/London.",
                  {"type": "string", "maxLength": 64}, required=False),
    ), check_availability, "check free and busy times on a day"),
    Action("createEvent", "Book an event on the business's calendar once the visitor agreed to a time.", (
        Parameter("summary", "The event's title, e.g. 'Consultation with Ana Silva'.",
                  {"type": "string", "minLength": 1, "maxLength": 200}),
        Parameter("start", "Start, ISO 8601 with offset.", {"type": "string", "maxLength": 40}),
        Parameter("end", "End, ISO 8601 with offset.", {"type": "string", "maxLength": 40}),
        Parameter("attendeeEmail", "The visitor's email, to invite them.",
                  {"type": "string", "format": "email", "maxLength": 254}, required=False),
        Parameter("description", "Notes for the event.", {"type": "string", "maxLength": 2000}, required=False),
    ), create_event, "book events"),
)}
