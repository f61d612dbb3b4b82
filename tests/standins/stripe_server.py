"""A local stand-in for Stripe's HTTP API, speaking its wire format, for tests to point the stripe client at."""

import calendar
import copy
import json
import re
import threading
import time
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .stripe_objects import ROUTES as RESOURCE_ROUTES
from .stripe_objects import ApiError, StripeResources, new_id
from .stripe_subscriptions import ROUTES as SUBSCRIPTION_ROUTES
from .stripe_subscriptions import SubscriptionResources

# The version stripe==16.1.0 pins; events carry it as real webhooks carry the account's version.
API_VERSION = "2026-10-28.endive"
# Fields Stripe leaves out of a response unless the caller names them in expand[].
_INCLUDABLE = {"checkout.session": ("line_items",)}
# Hosted page kind in a session's url -> the object type it shows.
_PAGES = {"checkout": "checkout.session", "billing_portal": "billing_portal.session"}
ROUTES = RESOURCE_ROUTES + SUBSCRIPTION_ROUTES
_NO_KEY = ("You did not provide an API key. You need to provide your API key in the Authorization header, "
           "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').")


def parse_params(encoded):
    """Decode Stripe's form encoding (a[b][0][c]=v, a[]=v) into nested dicts and lists of strings."""
    root = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        parts = [key.split("[", 1)[0], *re.findall(r"\[([^\]]*)\]", key)]
        node = root
        # An empty "[]" segment appends. Stripe's clients index nested arrays (a[0][b]),
        # so "[]" only needs to work for arrays of scalars such as lookup_keys[] and expand[].
        for part in parts[:-1]:
            node = node.setdefault(part or str(len(node)), {})
        node[parts[-1] or str(len(node))] = value
    return _listify(root)


def _listify(node, key=None):
    """Turn dicts keyed 0..n into lists, except metadata, whose keys are the caller's own."""
    if not isinstance(node, dict):
        return node
    items = {name: _listify(value, name) for name, value in node.items()}
    if key != "metadata" and items and all(name.isdigit() for name in items):
        return [items[name] for name in sorted(items, key=int)]
    return items


def period_end(start, recurring):
    """End of the first billing period; months and years are calendar-based, as Stripe bills."""
    count, interval = recurring["interval_count"], recurring["interval"]
    if interval in ("day", "week"):
        return start + count * (86400 if interval == "day" else 7 * 86400)
    begin = datetime.fromtimestamp(start, UTC)
    years, month = divmod(begin.month - 1 + count * (12 if interval == "year" else 1), 12)
    year = begin.year + years
    day = min(begin.day, calendar.monthrange(year, month + 1)[1])
    return int(begin.replace(year=year, month=month + 1, day=day).timestamp())


def _redact(key):
    # Stripe echoes a wrong key with its middle masked.
    return key if len(key) <= 12 else key[:8] + "*" * (len(key) - 12) + key[-4:]


class StripeStandin(SubscriptionResources, StripeResources):
    """Stripe's API on 127.0.0.1: start(), point the client at base_url, assert on requests/objects, stop()."""

    def __init__(self, api_key="sk_test_standin"):
        super().__init__()
        self.api_key = api_key
        self.requests = []  # (method, path, params) of every /v1 call, in arrival order
        self._replays = {}  # Idempotency-Key -> (method, path, params, body) of its first success
        # Server threads and the test thread (through the helpers) both change objects.
        self._lock = threading.RLock()
        self._server = None
        self._thread = None

    def start(self):
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.standin = self
        # A short poll interval keeps stop() (shutdown waits for the next poll) from adding ~0.5 s per test.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def handle(self, method, path, encoded_params, headers):
        """Answer one HTTP request: (status, content type, body bytes, extra headers)."""
        page = re.fullmatch(r"/(checkout|billing_portal)/([^/]+)", path)
        if method == "GET" and page:
            return self._hosted_page(*page.groups())
        params = parse_params(encoded_params)
        with self._lock:
            self.requests.append((method, path, params))
            status, body, extra = self._api_call(method, path, params, headers)
        extra["Request-Id"] = new_id("req_")
        return status, "application/json", json.dumps(body, indent=2).encode(), extra

    def _api_call(self, method, path, params, headers):
        auth_error = self._auth_error(headers.get("Authorization"))
        if auth_error:
            return 401, auth_error, {}
        key = headers.get("Idempotency-Key") if method == "POST" else None
        if key in self._replays:
            return self._replay(key, method, path, params)
        status, body = self.dispatch(method, path, params)
        # Stripe saves only requests that executed, so one that failed validation can be retried with its key.
        if key and status == 200:
            self._replays[key] = (method, path, params, body)
        return status, body, {}

    def _auth_error(self, authorization):
        """Stripe's 401 body for a missing or wrong Bearer key; None for ours."""
        if not authorization:
            message = _NO_KEY
        elif authorization == f"Bearer {self.api_key}":
            return None
        else:
            message = f"Invalid API Key provided: {_redact(authorization.removeprefix('Bearer ').strip())}"
        return {"error": {"type": "invalid_request_error", "message": message}}

    def _replay(self, key, method, path, params):
        first_method, first_path, first_params, body = self._replays[key]
        if (first_method, first_path, first_params) == (method, path, params):
            return 200, body, {"Idempotent-Replayed": "true"}
        message = (f"Keys for idempotent requests can only be used with the same parameters they were first "
                   f"used with. Try using a key other than '{key}' if you meant to execute a different request.")
        return 400, {"error": {"type": "idempotency_error", "message": message}}, {}

    def dispatch(self, method, path, params):
        """Run the endpoint for method and path; returns (status, JSON body)."""
        route = next(((handler, match) for route_method, pattern, handler in ROUTES
                      if route_method == method and (match := re.fullmatch(pattern, path))), None)
        if route is None:
            message = f"Unrecognized request URL ({method}: {path})."
            return 404, {"error": {"type": "invalid_request_error", "message": message}}
        handler, match = route
        params = dict(params)  # self.requests keeps the params as sent, expand included
        expand = params.pop("expand", [])
        try:
            result = handler(self, params, *match.groups())
        except ApiError as error:
            return error.status, {"error": error.error}
        return 200, self.render(result, [expand] if isinstance(expand, str) else expand)

    def render(self, obj, expand):
        """A response copy of obj: includable fields only when asked, expand paths like "data.product"."""
        shown = copy.deepcopy(obj)
        for field in _INCLUDABLE.get(obj.get("object"), ()):
            if field not in expand:
                shown.pop(field, None)
        for path in expand:
            self._expand(shown, path.split("."))
        return shown

    def _expand(self, node, path):
        if isinstance(node, list):
            for item in node:
                self._expand(item, path)
        elif isinstance(node, dict) and path:
            value = node.get(path[0])
            if isinstance(value, str) and value in self.objects:
                node[path[0]] = value = self.render(self.objects[value], [])
            self._expand(value, path[1:])

    def _hosted_page(self, kind, session_id):
        """The page a session's url leads to, so a browser-driven test lands somewhere real."""
        session = self.objects.get(session_id)
        if session is None or session["object"] != _PAGES[kind]:
            return 404, "text/html; charset=utf-8", b"<!doctype html><h1>No such session</h1>", {}
        title = "Checkout" if kind == "checkout" else "Billing portal"
        html = (f"<!doctype html><title>Stripe stand-in: {title}</title><h1>{title}</h1>"
                f"<p>Session <code>{escape(session_id)}</code>: {escape(session.get('status', 'open'))}</p>")
        return 200, "text/html; charset=utf-8", html.encode(), {}

    def complete_checkout(self, session_id):
        """Pay an open session as a customer would; returns its checkout.session.completed event."""
        with self._lock:
            session = self._find("checkout.session", session_id)
            if session["status"] != "open":
                raise ValueError(f"checkout session {session_id} is already {session['status']}")
            if session["mode"] == "subscription":
                # Subscription mode always ends with a customer, created from the email if none was given.
                if session["customer"] is None:
                    session["customer"] = self.create_customer({"email": session["customer_email"]})["id"]
                session["subscription"] = self._subscribe(session)["id"]
            session["status"] = "complete"
            session["payment_status"] = "no_payment_required" if session["mode"] == "setup" else "paid"
            return self.event("checkout.session.completed", self.render(session, []))

    def _subscribe(self, session):
        start = int(time.time())
        subscription_id = new_id("sub_")
        items = [{"id": new_id("si_"), "object": "subscription_item", "subscription": subscription_id,
                  "price": copy.deepcopy(item["price"]), "quantity": item["quantity"], "created": start,
                  "current_period_start": start, "current_period_end": period_end(start, item["price"]["recurring"])}
                 for item in session["line_items"]["data"] if item["price"]["recurring"]]
        fields = {
            "status": "active", "customer": session["customer"], "currency": session["currency"],
            "items": {"object": "list", "data": items, "has_more": False,
                      "url": f"/v1/subscription_items?subscription={subscription_id}"},
            # Newer API versions keep the period only on items; the top-level copy serves older readers.
            "current_period_start": start, "current_period_end": items[0]["current_period_end"],
            "start_date": start, "cancel_at_period_end": False, "cancel_at": None, "canceled_at": None,
            "ended_at": None, "trial_start": None, "trial_end": None, "latest_invoice": None,
            "metadata": dict(self._subscription_data[session["id"]].get("metadata", {})),
        }
        return self._store("subscription", fields, subscription_id)

    def event(self, event_type, obj, previous_attributes=None):
        """A webhook event wrapping a copy of obj, e.g. event("invoice.paid", invoice)."""
        data = {"object": copy.deepcopy(obj)}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        return {"id": new_id("evt_"), "object": "event", "type": event_type, "created": int(time.time()),
                "data": data, "api_version": API_VERSION, "livemode": False, "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None}}


class _Handler(BaseHTTPRequestHandler):
    """Moves bytes between the socket and StripeStandin.handle."""

    def do_GET(self):
        self._respond("GET")

    def do_POST(self):
        self._respond("POST")

    def do_DELETE(self):
        self._respond("DELETE")

    def _respond(self, method):
        url = urlsplit(self.path)
        if method == "POST":
            encoded = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        else:
            encoded = url.query
        try:
            status, content_type, body, extra = self.server.standin.handle(method, url.path, encoded, self.headers)
        except Exception as exc:  # a stand-in bug becomes a readable Stripe api_error, not a dropped connection
            status, content_type, extra = 500, "application/json", {}
            body = json.dumps({"error": {"type": "api_error", "message": repr(exc)}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        """Keep per-request access logs out of pytest's output."""
