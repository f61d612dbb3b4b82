"""Stand-ins for the apps' own APIs (Google Calendar v3, HubSpot CRM v3, Slack Web API) on loopback HTTP.

Each checks the bearer token with the OAuth stand-in (RFC 7662 introspection: live, and issued to that app's
client), checks each request against the shape the provider documents, and records what it accepted.
"""
from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Refused(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(status)
        self.status, self.body = status, body


def _rfc3339(value, where: str) -> None:
    if not isinstance(value, str) or not RFC3339.match(value):
        raise Refused(400, {"error": {"code": 400, "message": f"Invalid value for {where}: {value!r}",
                                      "status": "INVALID_ARGUMENT"}})


class AppAPIs:
    """`base` + "/google/calendar/v3", "/hubspot", "/slack/api" are the three apps' api_base."""

    def __init__(self, introspect, client_ids: dict[str, str]):
        self.introspect = introspect  # token -> RFC 7662 answer
        self.client_ids = client_ids  # app slug -> the client id its tokens must be issued to
        self.requests: list[dict] = []
        self.busy: list[dict] = []  # Google free/busy answers for "primary"
        self.contacts: dict[str, dict] = {}
        self.notes: list[dict] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.base = f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.busy.clear()
            self.contacts.clear()
            self.notes.clear()

    # --- routing -------------------------------------------------------------------------------------------
    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple[int, dict]:
        app = path.split("/")[1] if path.count("/") >= 2 else ""
        slug = {"google": "google-calendar", "hubspot": "hubspot", "slack": "slack"}.get(app)
        if slug is None:
            return 404, {"error": "no such API"}
        token = (headers.get("Authorization") or "")
        if not token.startswith("Bearer "):
            return self._unauthorized(slug)
        answer = self.introspect(token[len("Bearer "):])
        if not answer.get("active") or answer.get("client_id") != self.client_ids[slug]:
            return self._unauthorized(slug)
        document = None
        if body:
            if not (headers.get("Content-Type") or "").startswith("application/json"):
                return 415, {"error": "Content-Type must be application/json"}
            document = json.loads(body)
        route = path[len(app) + 1:]
        try:
            status, answer_body = getattr(self, f"_{app}")(method, route, query, document)
        except Refused as refused:
            return refused.status, refused.body
        with self._lock:
            self.requests.append({"app": slug, "method": method, "path": route, "query": query, "body": document,
                                  "token": token[len("Bearer "):]})
        return status, answer_body

    @staticmethod
    def _unauthorized(slug: str) -> tuple[int, dict]:
        if slug == "slack":
            return 200, {"ok": False, "error": "invalid_auth"}
        if slug == "hubspot":
            return 401, {"status": "error", "message": "Authentication credentials not found.",
                         "category": "INVALID_AUTHENTICATION"}
        return 401, {"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                               "status": "UNAUTHENTICATED"}}

    # --- Google Calendar v3 ---------------------------------------------------------------------------------
    def _google(self, method, route, query, body):
        if method == "POST" and route == "/calendar/v3/freeBusy":
            allowed = {"timeMin", "timeMax", "timeZone", "groupExpansionMax", "calendarExpansionMax", "items"}
            if not isinstance(body, dict) or set(body) - allowed:
                raise Refused(400, {"error": {"code": 400, "message": "Invalid JSON payload", "status": "INVALID_ARGUMENT"}})
            _rfc3339(body.get("timeMin"), "timeMin")
            _rfc3339(body.get("timeMax"), "timeMax")
            items = body.get("items")
            if not isinstance(items, list) or not items or not all(isinstance(i, dict) and i.get("id") for i in items):
                raise Refused(400, {"error": {"code": 400, "message": "Missing items", "status": "INVALID_ARGUMENT"}})
            return 200, {"kind": "calendar#freeBusy", "timeMin": body["timeMin"], "timeMax": body["timeMax"],
                         "calendars": {item["id"]: {"busy": list(self.busy)} for item in items}}
        if method == "POST" and route == "/calendar/v3/calendars/primary/events":
            allowed = {"summary", "description", "start", "end", "attendees", "location"}
            if not isinstance(body, dict) or set(body) - allowed or not body.get("summary"):
                raise Refused(400, {"error": {"code": 400, "message": "Invalid event", "status": "INVALID_ARGUMENT"}})
            for key in ("start", "end"):
                if not isinstance(body.get(key), dict):
                    raise Refused(400, {"error": {"code": 400, "message": f"Missing {key}", "status": "INVALID_ARGUMENT"}})
                _rfc3339(body[key].get("dateTime"), f"{key}.dateTime")
            for attendee in body.get("attendees", []):
                if not EMAIL.match(attendee.get("email", "")):
                    raise Refused(400, {"error": {"code": 400, "message": "Invalid attendee email"}})
            return 200, {"kind": "calendar#event", "id": f"evt{len(self.requests) + 1}", "status": "confirmed",
                         "summary": body["summary"], "start": body["start"], "end": body["end"]}
        return 404, {"error": {"code": 404, "message": "Not Found"}}

    # --- HubSpot CRM v3 -------------------------------------------------------------------------------------
    def _hubspot(self, method, route, query, body):
        if method == "GET" and route == "/account-info/v3/details":
            return 200, {"portalId": 62515, "accountType": "STANDARD", "timeZone": "US/Eastern",
                         "companyCurrency": "USD", "uiDomain": "app.hubspot.com"}
        if route == "/crm/v3/objects/contacts" and method == "POST":
            properties = self._properties(body)
            email = properties.get("email", "").lower()
            if not EMAIL.match(email):
                raise Refused(400, {"status": "error", "category": "VALIDATION_ERROR",
                                    "message": "Property values were not valid"})
            with self._lock:
                if email in self.contacts:
                    raise Refused(409, {"status": "error", "category": "CONFLICT",
                                        "message": f"Contact already exists. Existing ID: {self.contacts[email]['id']}"})
                contact = {"id": str(100 + len(self.contacts)), "properties": properties}
                self.contacts[email] = contact
            return 201, {**contact, "createdAt": datetime.now().isoformat(), "archived": False}
        match = re.fullmatch(r"/crm/v3/objects/contacts/([^/]+)", route)
        if match:
            if query.get("idProperty") != ["email"]:
                raise Refused(400, {"status": "error", "message": "expected idProperty=email"})
            contact = self.contacts.get(unquote(match.group(1)).lower())
            if contact is None:
                return 404, {"status": "error", "category": "OBJECT_NOT_FOUND", "message": "resource not found"}
            if method == "GET":
                return 200, contact
            if method == "PATCH":
                contact["properties"].update(self._properties(body))
                return 200, contact
        if route == "/crm/v3/objects/notes" and method == "POST":
            if not isinstance(body, dict) or set(body) - {"properties", "associations"}:
                raise Refused(400, {"status": "error", "category": "VALIDATION_ERROR", "message": "Invalid input"})
            properties = self._properties(body)
            if not properties.get("hs_note_body") or not properties.get("hs_timestamp"):
                raise Refused(400, {"status": "error", "category": "VALIDATION_ERROR",
                                    "message": "hs_timestamp and hs_note_body are required"})
            for association in body.get("associations", []):
                types = association.get("types") or []
                if not association.get("to", {}).get("id") or not types or any(
                        t.get("associationCategory") != "HUBSPOT_DEFINED" or not isinstance(t.get("associationTypeId"), int)
                        for t in types):
                    raise Refused(400, {"status": "error", "category": "VALIDATION_ERROR",
                                        "message": "Invalid association"})
            note = {"id": str(500 + len(self.notes)), "properties": properties, "associations": body.get("associations")}
            self.notes.append(note)
            return 201, note
        return 404, {"status": "error", "message": "Not found"}

    @staticmethod
    def _properties(body) -> dict:
        if not isinstance(body, dict) or not isinstance(body.get("properties"), dict) or \
                not all(isinstance(v, str) for v in body["properties"].values()):
            raise Refused(400, {"status": "error", "category": "VALIDATION_ERROR",
                                "message": "properties must be an object of strings"})
        return dict(body["properties"])

    # --- Slack Web API --------------------------------------------------------------------------------------
    def _slack(self, method, route, query, body):
        if route == "/api/auth.test":
            return 200, {"ok": True, "url": "https://acme-support.slack.com/", "team": "Acme Support",
                         "user": "angelcx", "team_id": "T0ACME", "user_id": "U0BOT", "bot_id": "B0BOT"}
        if method == "POST" and route == "/api/chat.postMessage":
            if not isinstance(body, dict) or not body.get("channel"):
                return 200, {"ok": False, "error": "channel_not_found"}
            if not body.get("text") and not body.get("blocks"):
                return 200, {"ok": False, "error": "no_text"}
            return 200, {"ok": True, "channel": body["channel"], "ts": "1795000000.000100",
                         "message": {"type": "message", "text": body.get("text"), "bot_id": "B0BOT"}}
        return 200, {"ok": False, "error": "unknown_method"}

    def _handler(self):
        apis = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    status, answer = apis.handle(self.command, parts.path, parse_qs(parts.query), self.headers, body)
                except (ValueError, KeyError) as error:
                    status, answer = 400, {"error": f"bad request: {error}"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _answer

            def log_message(self, *args):
                pass

        return Handler
