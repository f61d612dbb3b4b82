"""JSON Schemas for the CallCall.ai models: what the API accepts (requests) and what it answers (responses).

One source: the API validates requests with these, shapes responses to match them (tests check every answer
against them), and `dashboard/api/openapi.py` assembles the published OpenAPI 3.1 document from them.
"""
from __future__ import annotations

from dashboard.ids import MAX_ID

MAX_TEXT = 10_000
STATUSES = ["active", "inactive", "archived"]
SERVICE_LEVELS = ["basic", "standard", "premium", "enterprise"]  # in order: a range is min ≤ level ≤ max
MATCH_STATUSES = ["presented", "accepted", "rejected", "booked"]
FEEDBACK = ["interested", "not_interested", "maybe"]
INTERACTION_TYPES = ["message", "call", "email", "meeting", "note"]
CHANNELS = ["voice", "chat", "email", "sms", "phone", "in_person"]
SENTIMENTS = ["positive", "neutral", "negative"]
URGENCIES = ["low", "medium", "high"]
ASSIGNMENT_STATUSES = ["active", "paused", "completed"]
CONTACT_TIMES = ["morning", "afternoon", "evening", "any"]

# Formats are patterns (not `format`), so the API and every client's validator agree on exactly what passes.
_ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = f"^{_ATOM}(?:\\.{_ATOM})*@(?:{_LABEL}\\.)+[A-Za-z]{{2,63}}$"
_email = {"type": "string", "maxLength": 255, "pattern": EMAIL_PATTERN, "description": "an email address such as john@example.com",
          "examples": ["john@example.com"]}
PHONE_PATTERN = "^\\+[1-9][0-9]{6,14}$"
_phone = {"type": "string", "pattern": PHONE_PATTERN,
          "description": "a phone number in international (E.164) form such as +14155550123", "examples": ["+14155550123"]}
_url = {"type": "string", "maxLength": 2000, "pattern": f"^https?://(?:{_LABEL}\\.)*{_LABEL}(?::[0-9]{{1,5}})?(?:/[!-~]*)?$",
        "description": "an http(s) URL such as https://example.com/photo.jpg", "examples": ["https://example.com/photo.jpg"]}
_time = {"type": "string", "format": "date-time", "description": "RFC 3339", "examples": ["2025-02-07T02:55:00Z"]}
_string_list = {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 100}, "maxItems": 50}
_amount = {"type": "number", "minimum": 0, "maximum": 1e9}


def ref(prefix: str) -> dict:
    """An id in a body: `lead_12`-style or a bare number (string or integer)."""
    return {"type": ["string", "integer"], "pattern": f"^({prefix}_)?[0-9]{{1,10}}$", "minimum": 1,
            "maximum": MAX_ID, "examples": [f"{prefix}_12"]}


def out_id(prefix: str) -> dict:
    return {"type": "string", "pattern": f"^{prefix}_[0-9]+$", "examples": [f"{prefix}_12"]}


def nullable(schema: dict) -> dict:
    kind = schema["type"]
    kinds = kind if isinstance(kind, list) else [kind]
    return {**schema, "type": [*kinds, "null"]}


# ---- Lead ("Customer Model") -----------------------------------------------------------------------
_contact = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "first_name": {"type": "string", "minLength": 1, "maxLength": 100},
        "last_name": {"type": "string", "maxLength": 100},
        "email": _email,
        "phone": _phone,
    },
}
_preferences = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "service_types": _string_list,
        "price_range": {"type": "object", "additionalProperties": False, "description": "min ≤ max",
                        "properties": {"min": _amount, "max": _amount}},
        "locations": _string_list,
        "service_level": {"type": "object", "additionalProperties": False, "description": "min ≤ max",
                          "properties": {"min": {"enum": SERVICE_LEVELS}, "max": {"enum": SERVICE_LEVELS}}},
    },
}
LEAD = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "status": {"enum": STATUSES},
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "contact": _contact,
        "preferences": _preferences,
        "engagement": {
            "type": "object", "additionalProperties": False,
            "description": "last_contact and total_interactions are derived from the lead's interactions and "
                           "cannot be set.",
            "properties": {"preferred_contact_time": {"enum": CONTACT_TIMES}},
        },
    },
    "examples": [{"status": "active", "score": 85,
                  "contact": {"first_name": "John", "last_name": "Doe", "email": "john@example.com",
                              "phone": "+14155550123"},
                  "preferences": {"service_types": ["consulting"], "price_range": {"min": 100, "max": 1000},
                                  "locations": ["downtown"], "service_level": {"min": "basic", "max": "premium"}},
                  "engagement": {"preferred_contact_time": "evening"}}],
}
LEAD_CREATE = {**LEAD, "required": ["contact"]}
LEAD_OUT = {
    "type": "object", "required": ["id", "created_at", "updated_at", "status", "score", "contact", "preferences",
                                   "engagement", "services"],
    "properties": {
        "id": out_id("lead"), "created_at": _time, "updated_at": _time, "status": {"enum": STATUSES},
        "score": {"type": "integer"},
        "contact": {"type": "object", "properties": {
            "first_name": {"type": ["string", "null"]}, "last_name": {"type": ["string", "null"]},
            "email": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]}}},
        "preferences": {"type": "object"},
        "engagement": {"type": "object", "required": ["last_contact", "total_interactions"], "properties": {
            "last_contact": nullable(_time), "total_interactions": {"type": "integer", "minimum": 0},
            "preferred_contact_time": {"enum": [*CONTACT_TIMES, None]}}},
        "services": {"type": "array", "description": "The services the lead is matched to, best first",
                     "items": {"type": "object", "required": ["service_id", "match_id", "score", "status"],
                               "properties": {"service_id": out_id("service"), "match_id": out_id("match"),
                                              "score": {"type": "integer"}, "status": {"enum": MATCH_STATUSES}}}},
    },
}

# ---- Service ------------------------------------------------------------------------------------------
_details = {
    "type": "object", "additionalProperties": False,
    "properties": {"price": _amount, "duration": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                   "category": {"type": "string", "minLength": 1, "maxLength": 64},
                   "service_level": {"enum": SERVICE_LEVELS},
                   "description": {"type": "string", "maxLength": 2000}},
}
SERVICE_UPDATE = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "status": {"enum": STATUSES},
        "type": {"type": "string", "minLength": 1, "maxLength": 64},
        "details": _details,
        "location": {
            "type": "object", "additionalProperties": False,
            "properties": {"address": {"type": "string", "maxLength": 255}, "city": {"type": "string", "maxLength": 100},
                           "state": {"type": "string", "maxLength": 100}, "zip": {"type": "string", "maxLength": 20},
                           "coordinates": {"type": "object", "additionalProperties": False,
                                           "required": ["latitude", "longitude"],
                                           "properties": {"latitude": {"type": "number", "minimum": -90, "maximum": 90},
                                                          "longitude": {"type": "number", "minimum": -180,
                                                                        "maximum": 180}}}},
        },
        "features": _string_list,
        "media": {"type": "object", "additionalProperties": False,
                  "properties": {"photos": {"type": "array", "items": _url, "maxItems": 50},
                                 "video_demo": _url, "brochure": _url}},
    },
}
SERVICE = {
    **SERVICE_UPDATE, "required": ["type", "details"],
    "properties": {**SERVICE_UPDATE["properties"], "details": {**_details, "required": ["price"]}},
    "examples": [{"status": "active", "type": "consulting",
                  "details": {"price": 250, "duration": 60, "category": "business",
                              "description": "Business consulting service"},
                  "location": {"address": "123 Main St", "city": "Example City", "state": "EX", "zip": "12345",
                               "coordinates": {"latitude": 37.7749, "longitude": -122.4194}},
                  "features": ["free_consultation", "priority_support"],
                  "media": {"photos": ["https://example.com/1.jpg"], "brochure": "https://example.com/b.pdf"}}],
}
SERVICE.pop("minProperties")
SERVICE_OUT = {
    "type": "object", "required": ["id", "created_at", "updated_at", "status", "type", "details", "location",
                                   "features", "media"],
    "properties": {"id": out_id("service"), "created_at": _time, "updated_at": _time, "status": {"enum": STATUSES},
                   "type": {"type": "string"}, "details": {"type": "object"}, "location": {"type": "object"},
                   "features": {"type": "array", "items": {"type": "string"}}, "media": {"type": "object"}},
}

# ---- Service Match ------------------------------------------------------------------------------------
MATCH_CREATE = {
    "type": "object", "additionalProperties": False, "required": ["customer_id", "service_id"],
    "description": "The score and match_factors are computed (see the README's formula).",
    "properties": {"customer_id": ref("lead"), "service_id": ref("service"), "status": {"enum": MATCH_STATUSES},
                   "customer_feedback": {"enum": [*FEEDBACK, None]}},
    "examples": [{"customer_id": "lead_12", "service_id": "service_3"}],
}
MATCH_UPDATE = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "status": {"enum": MATCH_STATUSES},
        "customer_feedback": {"enum": [*FEEDBACK, None]},
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "match_factors": _string_list,
    },
    "examples": [{"status": "accepted", "customer_feedback": "interested"}],
}
MATCH_OUT = {
    "type": "object", "required": ["id", "customer_id", "service_id", "created_at", "updated_at", "score",
                                   "match_factors", "status", "customer_feedback"],
    "properties": {"id": out_id("match"), "customer_id": out_id("lead"), "service_id": out_id("service"),
                   "created_at": _time, "updated_at": _time, "score": {"type": "integer", "minimum": 0, "maximum": 100},
                   "match_factors": {"type": "array", "items": {"type": "string"}},
                   "status": {"enum": MATCH_STATUSES}, "customer_feedback": {"enum": [*FEEDBACK, None]}},
}

# ---- Interaction --------------------------------------------------------------------------------------
_ai_analysis = {"type": "object", "additionalProperties": False,
                "properties": {"intent": {"type": "string", "minLength": 1, "maxLength": 64},
                               "urgency": {"enum": URGENCIES}}}
INTERACTION_UPDATE = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {"type": {"enum": INTERACTION_TYPES}, "channel": {"enum": CHANNELS},
                   "content": {"type": "string", "maxLength": MAX_TEXT}, "sentiment": {"enum": [*SENTIMENTS, None]},
                   "ai_analysis": _ai_analysis, "created_at": _time,
                   "conversation_id": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID,
                                       "description": "The conversation it came from (one interaction each)"}},
}
INTERACTION_CREATE = {
    **INTERACTION_UPDATE, "required": ["type", "channel", "content"],
    "examples": [{"type": "message", "channel": "email", "content": "Inquiry about service", "sentiment": "positive",
                  "ai_analysis": {"intent": "information_request", "urgency": "medium"}}],
}
INTERACTION_CREATE.pop("minProperties")
INTERACTION_OUT = {
    "type": "object", "required": ["id", "lead_id", "type", "channel", "content", "sentiment", "ai_analysis",
                                   "conversation_id", "created_at", "updated_at"],
    "properties": {"id": out_id("int"), "lead_id": out_id("lead"), "type": {"enum": INTERACTION_TYPES},
                   "channel": {"enum": CHANNELS}, "content": {"type": "string"},
                   "sentiment": {"enum": [*SENTIMENTS, None]},
                   "ai_analysis": {"type": "object", "required": ["intent", "urgency"],
                                   "properties": {"intent": {"type": ["string", "null"]},
                                                  "urgency": {"enum": [*URGENCIES, None]}}},
                   "conversation_id": {"type": ["integer", "null"]}, "created_at": _time, "updated_at": _time},
}

# ---- Business Analysis --------------------------------------------------------------------------------
ANALYSIS_OUT = {
    "type": "object", "required": ["id", "service_id", "created_at", "business_data", "predictions"],
    "properties": {
        "id": out_id("analysis"), "service_id": out_id("service"), "created_at": _time,
        "business_data": {"type": "object", "required": ["median_price", "price_trend", "days_on_market",
                                                         "comparable_services"],
                          "properties": {"median_price": {"type": ["number", "null"]},
                                         "price_trend": {"type": ["string", "null"], "examples": ["+5%"]},
                                         "days_on_market": {"type": "integer", "minimum": 0},
                                         "comparable_services": {"type": "array", "items": out_id("service")}}},
        "predictions": {"type": "object", "required": ["estimated_value", "booking_rate", "conversion_probability"],
                        "properties": {"estimated_value": {"type": ["number", "null"]},
                                       "booking_rate": {"type": ["string", "null"], "examples": ["3.5%"]},
                                       "conversion_probability": {"type": ["number", "null"], "minimum": 0,
                                                                  "maximum": 1}}},
    },
}

# ---- Agent Assignment ---------------------------------------------------------------------------------
ASSIGNMENT_UPDATE = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {"agent_id": ref("agent"), "status": {"enum": ASSIGNMENT_STATUSES}},
    "examples": [{"status": "paused"}],
}
ASSIGNMENT_CREATE = {
    "type": "object", "additionalProperties": False, "required": ["customer_id", "agent_id"],
    "description": "match_score, match_factors and performance are computed (see the README).",
    "properties": {"customer_id": ref("lead"), **ASSIGNMENT_UPDATE["properties"]},
    "examples": [{"customer_id": "lead_12", "agent_id": "agent_3"}],
}
ASSIGNMENT_OUT = {
    "type": "object", "required": ["id", "customer_id", "agent_id", "created_at", "updated_at", "match_score",
                                   "match_factors", "status", "performance"],
    "properties": {"id": out_id("assignment"), "customer_id": out_id("lead"), "agent_id": out_id("agent"),
                   "created_at": _time, "updated_at": _time,
                   "match_score": {"type": "integer", "minimum": 0, "maximum": 100},
                   "match_factors": {"type": "array", "items": {"type": "string"}},
                   "status": {"enum": ASSIGNMENT_STATUSES},
                   "performance": {"type": "object", "required": ["response_time", "satisfaction_score"],
                                   "properties": {"response_time": {"type": ["string", "null"], "examples": ["2h"]},
                                                  "satisfaction_score": {"type": ["number", "null"], "minimum": 1,
                                                                         "maximum": 5}}}},
}


def list_of(item: dict) -> dict:
    """The shape of every list the API answers."""
    return {"type": "object", "required": ["object", "data", "has_more", "next_cursor"],
            "properties": {"object": {"const": "list"}, "data": {"type": "array", "items": item},
                           "has_more": {"type": "boolean"},
                           "next_cursor": {"type": ["string", "null"],
                                           "description": "Pass as ?cursor= for the next page; null on the last"}}}
