"""HubSpot's actions, to its documented CRM v3 API: contacts (create, or update by email) and notes."""
from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from dashboard.integrations.actions.base import Action, ActionFailed, Parameter, ProviderAPI

NOTE_TO_CONTACT = 202  # HubSpot's defined association type id, note → contact


def save_contact(api: ProviderAPI, data: dict, args: dict) -> str:
    properties = {"email": args["email"]}
    for ours, theirs in (("firstName", "firstname"), ("lastName", "lastname"), ("phone", "phone")):
        if args.get(ours):
            properties[theirs] = args[ours]
    status, _ = api.call("POST", "/crm/v3/objects/contacts", {"properties": properties})
    if status == 201:
        return f"Saved {args['email']} as a new contact."
    if status == 409:  # a contact with this email exists: update it, found by email
        status, _ = api.call("PATCH", f"/crm/v3/objects/contacts/{quote(args['email'], safe='')}?idProperty=email",
                             {"properties": properties})
        if status == 200:
            return f"Updated the contact {args['email']}."
    raise ActionFailed(f"HubSpot did not save the contact ({status}).")


def add_contact_note(api: ProviderAPI, data: dict, args: dict) -> str:
    status, contact = api.call("GET", f"/crm/v3/objects/contacts/{quote(args['email'], safe='')}?idProperty=email")
    if status == 404:
        raise ActionFailed(f"There is no contact {args['email']}; save the contact first.")
    if status != 200 or not contact.get("id"):
        raise ActionFailed(f"HubSpot did not find the contact ({status}).")
    status, _ = api.call("POST", "/crm/v3/objects/notes", {
        "properties": {"hs_timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                       "hs_note_body": args["note"]},
        "associations": [{"to": {"id": contact["id"]},
                          "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_CONTACT}]}],
    })
    if status != 201:
        raise ActionFailed(f"HubSpot did not add the note ({status}).")
    return f"Added the note to {args['email']}."


_EMAIL = {"type": "string", "format": "email", "maxLength": 254}
ACTIONS = {action.name: action for action in (
    Action("saveContact", "Save the visitor as a contact in the business's CRM, or update them if known.", (
        Parameter("email", "The visitor's email address.", _EMAIL),
        Parameter("firstName", "First name.", {"type": "string", "maxLength": 100}, required=False),
        Parameter("lastName", "Last name.", {"type": "string", "maxLength": 100}, required=False),
        Parameter("phone", "Phone number.", {"type": "string", "maxLength": 40}, required=False),
    ), save_contact, "create or update contacts"),
    Action("addContactNote", "Add a note about what the visitor wanted to their contact.", (
        Parameter("email", "The contact's email address.", _EMAIL),
        Parameter("note", "The note.", {"type": "string", "minLength": 1, "maxLength": 5000}),
    ), add_contact_note, "add notes to contacts"),
)}
