"""Onboarding hears from billing: a customer whose contract became active moves past the plan step."""
from __future__ import annotations

from dashboard.signals import contract_activated


@contract_activated.connect
def _plan_step_done(sender, customer, **_) -> None:
    # Inside billing's transaction: the step moves with the contract, or not at all.
    if customer.onboarding_step == "plan":
        customer.onboarding_step = "agent"
