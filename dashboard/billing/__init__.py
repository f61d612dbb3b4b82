"""Billing: Plans, Stripe Checkout, your contract and usage against every plan limit."""
from flask import Blueprint

bp = Blueprint("billing", __name__, url_prefix="/billing")

from dashboard.billing import routes, webhooks  # noqa: E402,F401
