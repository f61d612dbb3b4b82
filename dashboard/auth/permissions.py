"""Who may do what: one table from endpoints to areas, each role's access to each area, denied by default.

Every request of a signed-in member (`guard.authorize`) and every API call (the key acts with its creating
member's role) is checked here before its view runs. A blueprint is classified as a whole (its GETs read the
area, other methods change it); `ENDPOINTS` overrides single endpoints. An endpoint that is neither public
(`@public`) nor classified is refused to every role: a new blueprint must be added here to be reachable.
"""
from __future__ import annotations

from dataclasses import dataclass

READ, WRITE = "read", "write"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# What each area is called in a refusal ("Your role (viewer) cannot change agents.").
AREAS = {
    "home": "the overview",
    "agents": "agents",
    "emails": "email templates",
    "leads": "leads",
    "conversations": "conversations",
    "analytics": "analytics",
    "ingest": "conversations sent through the API",
    "billing": "billing",
    "webhooks": "webhooks",
    "settings": "settings",
    "profile": "the business profile",
    "api_keys": "API keys",
    "members": "members",
    "audit": "the audit log",
    "ownership": "ownership",
    "account": "your own account",
}

BLUEPRINTS = {
    "agents": "agents",
    "integrations": "agents",
    "agent_integrations": "agents",
    "emails": "emails",
    "crm": "leads",
    "conversations": "conversations",
    "analytics": "analytics",
    "billing": "billing",
    "onboarding": "billing",
    "webhooks_out": "webhooks",
    "api_docs": "home",  # the API's reference and OpenAPI document
    "account": "account",  # each member's own password and sign-ins
}

# endpoint -> (area, access); access None means "by the method" (GET reads, anything else writes).
ENDPOINTS: dict[str, tuple[str, str | None]] = {
    "core.home": ("home", READ),
    "settings.index": ("settings", READ),
    "settings.profile": ("profile", WRITE),
    "settings.create_key": ("api_keys", WRITE),
    "settings.confirm_revoke": ("api_keys", WRITE),
    "settings.revoke_key": ("api_keys", WRITE),
    "agents.preview_widget": ("agents", READ),  # renders the unsaved form's preview; stores nothing
    "emails.preview_template": ("emails", READ),  # renders the unsaved template with sample values; stores nothing
    "agents.preview_prompt": ("agents", READ),  # renders the unsaved prompt's effective text; stores nothing
    "integrations.callback": ("agents", WRITE),  # the OAuth provider's redirect stores the connection
    "teams.index": ("members", READ),
    "teams.invite_member": ("members", WRITE),
    "teams.resend_invitation": ("members", WRITE),
    "teams.revoke_invitation": ("members", WRITE),
    "teams.change_member_role": ("members", WRITE),
    "teams.remove_member": ("members", WRITE),
    "teams.audit_log": ("audit", READ),
    "teams.audit_csv": ("audit", READ),
    "api.index": ("home", READ),
    "api.create_conversation": ("ingest", WRITE),
    "api.list_leads": ("leads", READ),
    "api.get_lead": ("leads", READ),
    "api.create_lead": ("leads", WRITE),
    "api.update_lead": ("leads", WRITE),
    "api.delete_lead": ("leads", WRITE),
    "api.list_services": ("leads", READ),
    "api.get_service": ("leads", READ),
    "api.create_service_route": ("leads", WRITE),
    "api.get_match": ("leads", READ),
    "api.update_match_route": ("leads", WRITE),
    "api.list_webhook_endpoints": ("webhooks", READ),
    "api.get_webhook_endpoint": ("webhooks", READ),
    "api.create_webhook_endpoint": ("webhooks", WRITE),
    "api.delete_webhook_endpoint": ("webhooks", WRITE),
    # Endpoints main gained after this table was last merged (classified ahead, by method).
    "api.change_webhook_endpoint": ("webhooks", WRITE),
    "api.rotate_webhook_endpoint_secret": ("webhooks", WRITE),
    "api.update_service": ("leads", None),
    "api.delete_service": ("leads", None),
    "api.list_matches": ("leads", None),
    "api.create_match": ("leads", None),
    "api.delete_match": ("leads", None),
    "api.find_matches": ("leads", None),
    "api.list_assignments": ("leads", None),
    "api.get_assignment": ("leads", None),
    "api.create_assignment": ("leads", None),
    "api.update_assignment": ("leads", None),
    "api.delete_assignment": ("leads", None),
    "api.list_interactions": ("conversations", READ),
    "api.get_interaction": ("conversations", READ),
    "api.create_interaction": ("ingest", WRITE),
    "api.update_interaction": ("ingest", WRITE),
    "api.delete_interaction_route": ("ingest", WRITE),
    "api.list_analyses": ("conversations", READ),
    "api.get_analysis": ("conversations", READ),
    "api.create_analysis": ("ingest", WRITE),
    "api.update_analysis": ("ingest", WRITE),
    "api.delete_analysis": ("ingest", WRITE),
}

_EVERY_AREA = {area: WRITE for area in AREAS}
ROLE_ACCESS: dict[str, dict[str, str]] = {
    "owner": dict(_EVERY_AREA),
    "admin": {area: WRITE for area in AREAS if area != "ownership"},
    "editor": {"home": READ, "agents": WRITE, "emails": WRITE, "leads": WRITE, "ingest": WRITE,
               "conversations": READ, "analytics": READ, "settings": READ, "account": WRITE},
    "viewer": {"home": READ, "agents": READ, "emails": READ, "leads": READ, "conversations": READ,
               "analytics": READ, "settings": READ, "account": WRITE},
}
# A member with transcripts hidden sees analytics, never message content.
TRANSCRIPT_AREAS = {"conversations"}
ROLE_NAMES = {"owner": "Owner", "admin": "Admin", "editor": "Editor", "viewer": "Viewer"}


@dataclass(frozen=True)
class Rule:
    area: str
    access: str


def rule_for(endpoint: str | None, blueprint: str | None, method: str) -> Rule | None:
    """The area and access a request needs, or None when the endpoint is not classified (denied)."""
    if endpoint in ENDPOINTS:
        area, access = ENDPOINTS[endpoint]
    elif blueprint in BLUEPRINTS:
        area, access = BLUEPRINTS[blueprint], None
    else:
        return None
    return Rule(area, access or (READ if method in READ_METHODS else WRITE))


def allows(member, area: str, access: str = READ) -> bool:
    """Whether `member` (role, transcripts_hidden) may `access` `area`."""
    if member is None:
        return False
    if area in TRANSCRIPT_AREAS and member.transcripts_hidden:
        return False
    granted = ROLE_ACCESS.get(member.role, {}).get(area)
    return granted == WRITE or (granted == READ and access == READ)


def refusal(member, area: str, access: str = WRITE) -> str | None:
    """Why `member` may not `access` `area`, for people (None when it may)."""
    if allows(member, area, access):
        return None
    what = AREAS.get(area, area)
    if member is None:
        return "This key has no member behind it any more; create a new key."
    if area in TRANSCRIPT_AREAS and member.transcripts_hidden:
        return "Conversation content is hidden for you; ask an owner or admin."
    role = ROLE_NAMES.get(member.role, member.role)
    if access == WRITE and ROLE_ACCESS.get(member.role, {}).get(area) == READ:
        return f"Your role ({role}) can view {what} but not change them; ask an owner or admin."
    return f"Your role ({role}) does not give access to {what}; ask an owner or admin."


def refusal_for_request(member, endpoint: str | None, blueprint: str | None, method: str) -> str | None:
    rule = rule_for(endpoint, blueprint, method)
    if rule is None:
        return "This page is not open to any role yet."
    return refusal(member, rule.area, rule.access)
