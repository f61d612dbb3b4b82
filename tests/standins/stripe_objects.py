"""Stripe API resources for the stand-in: stored objects, endpoint handlers, parameter checks, errors."""

import copy
import re
import secrets
import string
import time

_ID_CHARS = string.ascii_letters + string.digits
_LIST_PARAMS = {"limit", "starting_after"}
_INTERVALS = ("day", "week", "month", "year")
# Parameters each endpoint models. Anything else is rejected as unknown, as Stripe does,
# so a typo in the app's Stripe calls fails in tests instead of being silently ignored.
_CUSTOMER_FIELDS = {"email", "name", "description", "phone", "metadata"}
_PRODUCT_FIELDS = {"name", "active", "description", "metadata"}
_PRICE_UPDATE_FIELDS = {"active", "lookup_key", "transfer_lookup_key", "metadata", "nickname"}
_PRICE_CREATE_FIELDS = _PRICE_UPDATE_FIELDS | {"product", "unit_amount", "currency", "recurring"}
_CHECKOUT_FIELDS = {"mode", "success_url", "cancel_url", "line_items", "customer", "customer_email",
                    "client_reference_id", "metadata", "subscription_data"}
# URL segment of each retrievable collection -> the "object" value its members carry.
_COLLECTIONS = {
    "customers": "customer", "products": "product", "prices": "price",
    "checkout/sessions": "checkout.session", "subscriptions": "subscription",
}


class ApiError(Exception):
    """A Stripe error response: the HTTP status plus the body's "error" object."""

    def __init__(self, status, message, code=None, param=None):
        super().__init__(message)
        self.status = status
        self.error = {"type": "invalid_request_error", "message": message}
        if code:
            self.error["code"] = code
        if param:
            self.error["param"] = param


def new_id(prefix):
    return prefix + "".join(secrets.choice(_ID_CHARS) for _ in range(24))


def missing(param):
    return ApiError(400, f"Missing required param: {param}.", "parameter_missing", param)


def check_params(params, allowed, required=()):
    """Reject unknown, then missing, parameters with Stripe's codes."""
    for name in params:
        if name not in allowed:
            raise ApiError(400, f"Received unknown parameter: {name}", "parameter_unknown", name)
    for name in required:
        if params.get(name) in (None, ""):
            raise missing(name)


def integer(value, param):
    # Everything arrives as a form string; Stripe refuses "12.5" for integer fields.
    if not isinstance(value, str) or not re.fullmatch(r"-?\d+", value):
        raise ApiError(400, f"Invalid integer: {value}", "parameter_invalid_integer", param)
    return int(value)


def boolean(value, param):
    if value not in ("true", "false"):
        raise ApiError(400, f"Invalid boolean: {value}", param=param)
    return value == "true"


def merge_metadata(current, update):
    """Stripe merges metadata: a "" value unsets that key and metadata="" clears them all."""
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise ApiError(400, "Invalid object", param="metadata")
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


class StripeResources:
    """Stripe's objects and endpoints; StripeStandin puts HTTP in front and supplies base_url."""

    base_url: str

    def __init__(self):
        self.objects = {}
        self._subscription_data = {}  # checkout session id -> subscription_data, used on completion

    def _find(self, object_type, object_id, param="id", status=404):
        """A stored object; Stripe answers 404 for an id in the URL and 400 for one in a parameter."""
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != object_type:
            raise ApiError(status, f"No such {object_type}: '{object_id}'", "resource_missing", param)
        return obj

    def _store(self, object_type, fields, object_id):
        obj = {"id": object_id, "object": object_type, "created": int(time.time()), "livemode": False, **fields}
        self.objects[object_id] = obj
        return obj

    @staticmethod
    def _update(obj, params):
        changes = dict(params)
        if "active" in changes:  # converted up front so a bad value leaves obj untouched
            changes["active"] = boolean(changes["active"], "active")
        for name, value in changes.items():
            if name == "metadata":
                obj["metadata"] = merge_metadata(obj["metadata"], value)
            else:
                obj[name] = None if value == "" else value  # Stripe unsets a field given ""
        return obj

    def _list(self, object_type, url, params, filters):
        """Newest first, paged with limit and starting_after like Stripe's list endpoints."""
        items = [obj for obj in reversed(self.objects.values()) if obj["object"] == object_type
                 and all(obj[name] in allowed for name, allowed in filters.items())]
        if "starting_after" in params:
            cursor = self._find(object_type, params["starting_after"], "starting_after", 400)
            items = items[items.index(cursor) + 1:]
        limit = integer(params.get("limit", "10"), "limit")
        return {"object": "list", "data": items[:limit], "has_more": len(items) > limit, "url": url}

    def retrieve(self, params, collection, object_id):
        check_params(params, set())
        return self._find(_COLLECTIONS[collection], object_id)

    def create_customer(self, params):
        check_params(params, _CUSTOMER_FIELDS)
        fields = {name: params.get(name) for name in ("email", "name", "description", "phone")}
        fields["metadata"] = merge_metadata({}, params.get("metadata", {}))
        return self._store("customer", fields, new_id("cus_"))

    def update_customer(self, params, customer_id):
        check_params(params, _CUSTOMER_FIELDS)
        return self._update(self._find("customer", customer_id), params)

    def create_product(self, params):
        check_params(params, _PRODUCT_FIELDS | {"id"}, required=("name",))
        if params.get("id") in self.objects:
            raise ApiError(400, "Product already exists.", "resource_already_exists", "id")
        fields = {
            "name": params["name"], "description": params.get("description"),
            "active": boolean(params.get("active", "true"), "active"), "default_price": None,
            "metadata": merge_metadata({}, params.get("metadata", {})), "updated": int(time.time()),
        }
        return self._store("product", fields, params.get("id") or new_id("prod_"))

    def list_products(self, params):
        check_params(params, _LIST_PARAMS | {"active"})
        filters = {"active": [boolean(params["active"], "active")]} if "active" in params else {}
        return self._list("product", "/v1/products", params, filters)

    def update_product(self, params, product_id):
        check_params(params, _PRODUCT_FIELDS)
        return self._update(self._find("product", product_id), params)

    def create_price(self, params):
        check_params(params, _PRICE_CREATE_FIELDS, required=("currency", "product", "unit_amount"))
        self._find("product", params["product"], "product", 400)
        recurring = self._recurring(params.get("recurring"))
        unit_amount = integer(params["unit_amount"], "unit_amount")
        holder = self._lookup_key_holder(params)
        fields = {
            "product": params["product"], "active": boolean(params.get("active", "true"), "active"),
            "currency": params["currency"].lower(), "unit_amount": unit_amount,
            "unit_amount_decimal": str(unit_amount), "billing_scheme": "per_unit",
            "recurring": recurring, "type": "recurring" if recurring else "one_time",
            "lookup_key": params.get("lookup_key"), "nickname": params.get("nickname"),
            "tax_behavior": "unspecified", "metadata": merge_metadata({}, params.get("metadata", {})),
        }
        price = self._store("price", fields, new_id("price_"))
        if holder:
            holder["lookup_key"] = None
        return price

    def list_prices(self, params):
        check_params(params, _LIST_PARAMS | {"active", "product", "lookup_keys", "type", "currency"})
        filters = {name: [params[name]] for name in ("product", "type", "currency") if name in params}
        if "active" in params:
            filters["active"] = [boolean(params["active"], "active")]
        if "lookup_keys" in params:
            keys = params["lookup_keys"]
            filters["lookup_key"] = [keys] if isinstance(keys, str) else keys
        return self._list("price", "/v1/prices", params, filters)

    def update_price(self, params, price_id):
        # unit_amount, currency and recurring are fixed once created: Stripe calls them unknown here.
        check_params(params, _PRICE_UPDATE_FIELDS)
        price = self._find("price", price_id)
        holder = self._lookup_key_holder(params, price_id)
        self._update(price, {name: value for name, value in params.items() if name != "transfer_lookup_key"})
        if holder:
            holder["lookup_key"] = None
        return price

    @staticmethod
    def _recurring(recurring):
        if recurring is None:
            return None
        if not isinstance(recurring, dict):
            raise ApiError(400, "Invalid object", param="recurring")
        if "interval" not in recurring:
            raise missing("recurring[interval]")
        if recurring["interval"] not in _INTERVALS:
            message = "Invalid recurring[interval]: must be one of day, week, month, or year"
            raise ApiError(400, message, param="recurring[interval]")
        count = integer(recurring.get("interval_count", "1"), "recurring[interval_count]")
        return {"interval": recurring["interval"], "interval_count": count, "usage_type": "licensed",
                "meter": None, "trial_period_days": None}

    def _lookup_key_holder(self, params, price_id=None):
        """The other price holding the requested lookup_key; a clash is an error unless transfer_lookup_key."""
        key = params.get("lookup_key")
        holder = next((obj for obj in self.objects.values() if key and obj["object"] == "price"
                       and obj["lookup_key"] == key and obj["id"] != price_id), None)
        if holder and not boolean(params.get("transfer_lookup_key", "false"), "transfer_lookup_key"):
            raise ApiError(400, f"A price (`{holder['id']}`) already uses that lookup key.", param="lookup_key")
        return holder

    def create_checkout_session(self, params):
        check_params(params, _CHECKOUT_FIELDS, required=("mode", "success_url"))
        if params["mode"] not in ("payment", "setup", "subscription"):
            raise ApiError(400, "Invalid mode: must be one of payment, setup, or subscription", param="mode")
        if params.get("customer"):
            self._find("customer", params["customer"], "customer", 400)
        line_items = self._line_items(params)
        total = sum(item["amount_total"] for item in line_items)
        session_id = new_id("cs_test_")
        fields = {
            "mode": params["mode"], "status": "open", "payment_status": "unpaid",
            "url": f"{self.base_url}/checkout/{session_id}",
            "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
            "customer": params.get("customer"), "customer_email": params.get("customer_email"),
            "client_reference_id": params.get("client_reference_id"),
            "metadata": merge_metadata({}, params.get("metadata", {})),
            "currency": line_items[0]["currency"] if line_items else None,
            "amount_subtotal": total, "amount_total": total, "expires_at": int(time.time()) + 86400,
            "subscription": None, "invoice": None, "payment_intent": None,
            "line_items": {"object": "list", "data": line_items, "has_more": False,
                           "url": f"/v1/checkout/sessions/{session_id}/line_items"},
        }
        self._subscription_data[session_id] = params.get("subscription_data", {})
        return self._store("checkout.session", fields, session_id)

    def _line_items(self, params):
        """Check line_items against stored prices and build Stripe's line item objects."""
        if params["mode"] == "setup":
            return []
        if not params.get("line_items"):
            raise missing("line_items")
        items = []
        for index, item in enumerate(params["line_items"]):
            where = f"line_items[{index}]"
            for field in ("price", "quantity"):
                if not isinstance(item, dict) or field not in item:
                    raise missing(f"{where}[{field}]")
            price = self._find("price", item["price"], f"{where}[price]", 400)
            if not price["active"]:
                message = "The price specified is inactive. This field only accepts active prices."
                raise ApiError(400, message, param=f"{where}[price]")
            quantity = integer(item["quantity"], f"{where}[quantity]")
            amount = price["unit_amount"] * quantity
            items.append({"id": new_id("li_"), "object": "item", "price": copy.deepcopy(price),
                          "quantity": quantity, "currency": price["currency"], "amount_subtotal": amount,
                          "amount_total": amount, "description": self.objects[price["product"]]["name"]})
        recurring = any(item["price"]["recurring"] for item in items)
        if params["mode"] == "subscription" and not recurring:
            message = "You must provide at least one recurring price in `subscription` mode when using prices."
            raise ApiError(400, message, param="line_items")
        if params["mode"] == "payment" and recurring:
            message = ("You specified `payment` mode but passed a recurring price. Either switch to "
                       "`subscription` mode or use only one-time prices.")
            raise ApiError(400, message, param="line_items")
        return items

    def create_portal_session(self, params):
        check_params(params, {"customer", "return_url"}, required=("customer",))
        self._find("customer", params["customer"], "customer", 400)
        session_id = new_id("bps_")
        fields = {"customer": params["customer"], "return_url": params.get("return_url"),
                  "url": f"{self.base_url}/billing_portal/{session_id}"}
        return self._store("billing_portal.session", fields, session_id)


ROUTES = [
    ("POST", r"/v1/customers", StripeResources.create_customer),
    ("POST", r"/v1/customers/([^/]+)", StripeResources.update_customer),
    ("POST", r"/v1/products", StripeResources.create_product),
    ("GET", r"/v1/products", StripeResources.list_products),
    ("POST", r"/v1/products/([^/]+)", StripeResources.update_product),
    ("POST", r"/v1/prices", StripeResources.create_price),
    ("GET", r"/v1/prices", StripeResources.list_prices),
    ("POST", r"/v1/prices/([^/]+)", StripeResources.update_price),
    ("POST", r"/v1/checkout/sessions", StripeResources.create_checkout_session),
    ("POST", r"/v1/billing_portal/sessions", StripeResources.create_portal_session),
    ("GET", r"/v1/(customers|products|prices|checkout/sessions|subscriptions)/([^/]+)", StripeResources.retrieve),
]
