"""Subscription endpoints of the Stripe stand-in beyond retrieval: cancelling one, as DELETE /v1/subscriptions/{id}."""

import time

from .stripe_objects import ApiError, boolean, check_params

_CANCEL_FIELDS = {"cancellation_details", "invoice_now", "prorate"}
_CANCELLATION_DETAILS = {"comment", "feedback"}


class SubscriptionResources:
    """Cancelling subscriptions; `cancellations` lists (subscription id, params) of each one that took effect."""

    def __init__(self):
        super().__init__()
        self.cancellations = []

    def cancel_subscription(self, params, subscription_id):
        """Cancel now, as Stripe does: status "canceled", canceled_at and ended_at set; no proration unless asked."""
        check_params(params, _CANCEL_FIELDS)
        details = params.get("cancellation_details", {})
        if not isinstance(details, dict):
            raise ApiError(400, "Invalid object", param="cancellation_details")
        check_params(details, _CANCELLATION_DETAILS)
        for flag in ("invoice_now", "prorate"):
            if flag in params:
                boolean(params[flag], flag)
        subscription = self._find("subscription", subscription_id)
        if subscription["status"] in ("canceled", "incomplete_expired"):
            # Stripe refuses to cancel twice; a caller must treat this as already done.
            raise ApiError(400, f"This subscription has already been canceled: '{subscription_id}'",
                           param="subscription")
        now = int(time.time())
        subscription.update(status="canceled", canceled_at=now, ended_at=now,
                            cancellation_details={"comment": details.get("comment"),
                                                  "feedback": details.get("feedback"), "reason": "cancellation_requested"})
        self.cancellations.append((subscription_id, params))
        return subscription

    def cancelled_subscription_ids(self):
        return [subscription_id for subscription_id, _ in self.cancellations]


ROUTES = [
    ("DELETE", r"/v1/subscriptions/([^/]+)", SubscriptionResources.cancel_subscription),
]
