"""Outgoing webhooks: a business's endpoints, the events they hear, and the signed, retried deliveries."""
from flask import Blueprint

bp = Blueprint("webhooks_out", __name__, url_prefix="/settings/webhooks")

from dashboard.webhooks_out import listeners, routes  # noqa: E402,F401  (routes on bp; signal receivers)
