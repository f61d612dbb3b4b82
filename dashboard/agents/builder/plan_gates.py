"""What the customer's plan leaves locked in the builder, and which plan unlocks it (for the disabled fields)."""
from __future__ import annotations

from sqlalchemy import select

from dashboard.agents.builder.sections import plan_access
from dashboard.billing.models import Plan
from dashboard.extensions import db

FLAGS = ("customize_bot_voice", "customize_bot_color", "customize_bot_avatar", "customize_bot_name")


def lock_reasons(customer_id: int) -> dict[str, str | None]:
    """For each builder flag: None when the plan includes it, else "Available on <plan> — upgrade"."""
    access = plan_access(customer_id)
    locked = [flag for flag in FLAGS if access is None or not getattr(access, flag)]
    if not locked:
        return dict.fromkeys(FLAGS)
    plans = db.session.scalars(select(Plan).where(Plan.is_active.is_(True)).order_by(Plan.tier, Plan.cost_usd))
    plans = list(plans)
    reasons = dict.fromkeys(FLAGS)
    for flag in locked:
        plan = next((p for p in plans if getattr(p.access, flag)), None)
        reasons[flag] = (f"Available on {plan.name} — upgrade on the Billing page." if plan
                         else "Not included in your plan.")
    return reasons
