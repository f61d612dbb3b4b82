"""Self-test of the Ultravox stand-in: schema-checked mock answers, API key check, overrides, recording."""

import pytest
import requests

from .oidc_provider import NPM_INSTALL_HINT, node_modules_ready
from .ultravox import start_ultravox

pytestmark = [
    pytest.mark.skipif(
        not node_modules_ready(),
        reason=f"stand-in npm packages missing: run `{NPM_INSTALL_HINT}`",
    ),
]

API_KEY = "test-ultravox-key"

CALL_REQUEST = {
    "systemPrompt": "You are AngelCX's friendly receptionist.",
    "temperature": 0.4,
    "voice": "Mark",
    "selectedTools": [
        {
            "temporaryTool": {
                "modelToolName": "lookupBooking",
                "description": "Look up a booking by reference.",
                "http": {
                    "baseUrlPattern": "https://dashboard.example/tools/booking",
                    "httpMethod": "POST",
                },
                "dynamicParameters": [
                    {
                        "name": "reference",
                        "location": "PARAMETER_LOCATION_BODY",
                        "schema": {
                            "type": "string",
                            "description": "Booking reference",
                        },
                        "required": True,
                    }
                ],
                "staticParameters": [
                    {
                        "name": "X-Agent-Id",
                        "location": "PARAMETER_LOCATION_HEADER",
                        "value": "agent-42",
                    }
                ],
            }
        }
    ],
    "metadata": {"agentId": "agent-42"},
}


@pytest.fixture(scope="module")
def ultravox():
    standin = start_ultravox(API_KEY)
    try:
        yield standin
    finally:
        standin.stop()


def post_call(ultravox, body, api_key=API_KEY):
    return requests.post(
        f"{ultravox.base_url}/api/calls",
        json=body,
        headers={"X-API-Key": api_key},
        timeout=30,
    )


def test_valid_call_creation_is_answered_from_the_spec(ultravox):
    response = post_call(ultravox, CALL_REQUEST)
    assert 200 <= response.status_code < 300, response.text
    assert "joinUrl" in response.json()
    recorded = ultravox.requests[-1]
    assert (recorded.method, recorded.path) == ("POST", "/api/calls")
    assert recorded.json == CALL_REQUEST
    assert recorded.headers["x-api-key"] == API_KEY


def test_schema_violation_is_rejected_by_prism(ultravox):
    response = post_call(ultravox, {**CALL_REQUEST, "temperature": "warm"})
    assert 400 <= response.status_code < 500
    assert "temperature" in response.text


def test_wrong_api_key_is_unauthorized(ultravox):
    assert post_call(ultravox, CALL_REQUEST, api_key="wrong").status_code == 401
    assert requests.get(f"{ultravox.base_url}/api/voices", timeout=30).status_code == 401


def test_override_is_served_and_recorded(ultravox):
    call_messages = r"/api/calls/[^/]+/messages"
    first_page = {
        "results": [{"role": "MESSAGE_ROLE_AGENT", "text": "Hello"}],
        "next": f"{ultravox.base_url}/api/calls/c-1/messages?cursor=p2",
    }
    second_page = {
        "results": [{"role": "MESSAGE_ROLE_USER", "text": "Hi"}],
        "next": None,
    }
    ultravox.respond("GET", call_messages, 200, first_page)
    ultravox.respond("GET", call_messages + r"\?cursor=p2", 200, second_page)
    ultravox.respond("get", r"/api/voices", 503, {"detail": "Service unavailable"})
    headers = {"X-API-Key": API_KEY}

    page = requests.get(f"{ultravox.base_url}/api/calls/c-1/messages", headers=headers, timeout=30)
    assert page.json() == first_page
    page = requests.get(page.json()["next"], headers=headers, timeout=30)
    assert page.json() == second_page
    voices = requests.get(
        f"{ultravox.base_url}/api/voices",
        params={"pageSize": 5},
        headers=headers,
        timeout=30,
    )
    assert voices.status_code == 503
    assert voices.json() == {"detail": "Service unavailable"}

    recorded = ultravox.requests[-3:]
    assert [(r.method, r.path) for r in recorded] == [
        ("GET", "/api/calls/c-1/messages"),
        ("GET", "/api/calls/c-1/messages"),
        ("GET", "/api/voices"),
    ]
    assert recorded[1].query == {"cursor": ["p2"]}
    assert recorded[2].query == {"pageSize": ["5"]}
