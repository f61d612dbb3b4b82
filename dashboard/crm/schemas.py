"""JSON Schemas for the CallCall.ai models as the API accepts them (the documented shapes)."""
from __future__ import annotations

_email = {"type": "string", "format": "email", "maxLength": 255, "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"}
_status = {"type": "string", "enum": ["active", "inactive", "archived"]}
_string_list = {"type": "array", "items": {"type": "string", "maxLength": 100}, "maxItems": 50}

LEAD = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "status": _status,
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "contact": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "first_name": {"type": "string", "minLength": 1, "maxLength": 100},
                "last_name": {"type": "string", "maxLength": 100},
                "email": _email,
                "phone": {"type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$"},
            },
        },
        "preferences": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "service_types": _string_list,
                "price_range": {"type": "object", "additionalProperties": False,
                                "properties": {"min": {"type": "number", "minimum": 0},
                                               "max": {"type": "number", "minimum": 0}}},
                "locations": _string_list,
                "service_level": {"type": "object", "additionalProperties": False,
                                  "properties": {"min": {"type": "string"}, "max": {"type": "string"}}},
            },
        },
        "engagement": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "last_contact": {"type": "string", "format": "date-time"},
                "total_interactions": {"type": "integer", "minimum": 0},
                "preferred_contact_time": {"type": "string", "enum": ["morning", "afternoon", "evening", "any"]},
            },
        },
    },
}
LEAD_CREATE = {**LEAD, "required": ["contact"]}

SERVICE = {
    "type": "object", "additionalProperties": False, "required": ["type", "details"],
    "properties": {
        "status": _status,
        "type": {"type": "string", "minLength": 1, "maxLength": 64},
        "details": {
            "type": "object", "additionalProperties": False, "required": ["price"],
            "properties": {"price": {"type": "number", "minimum": 0}, "duration": {"type": "integer", "minimum": 0},
                           "category": {"type": "string", "maxLength": 64},
                           "description": {"type": "string", "maxLength": 2000}},
        },
        "location": {
            "type": "object", "additionalProperties": False,
            "properties": {"address": {"type": "string"}, "city": {"type": "string"}, "state": {"type": "string"},
                           "zip": {"type": "string"},
                           "coordinates": {"type": "object", "additionalProperties": False,
                                           "properties": {"latitude": {"type": "number", "minimum": -90, "maximum": 90},
                                                          "longitude": {"type": "number", "minimum": -180,
                                                                        "maximum": 180}}}},
        },
        "features": _string_list,
        "media": {"type": "object", "additionalProperties": {"type": ["string", "array"]}},
    },
}

MATCH_UPDATE = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "status": {"type": "string", "enum": ["presented", "accepted", "rejected", "booked"]},
        "customer_feedback": {"type": ["string", "null"], "enum": ["interested", "not_interested", "maybe", None]},
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "match_factors": _string_list,
    },
}

