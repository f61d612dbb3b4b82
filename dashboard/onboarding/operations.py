"""Onboarding steps: business profile → plan → first agent → done; a customer resumes at its step."""
from __future__ import annotations

from dashboard.agents.builder.operations import create_agent
from dashboard.agents.models import Agent
from dashboard.auth.models import Customer
from dashboard.auth.operations import save_profile
from dashboard.billing.entitlements import active_contract, require
from dashboard.extensions import db


def create_from_sign_up(sub: str, name: str, email: str, phone: str | None) -> Customer:
    """The business a first Cognito sign-in describes; it goes on to choose a plan."""
    return save_profile(None, name, email, phone, cognito_id=sub, onboarding_step="plan")


def complete_profile(customer: Customer, name: str, email: str, phone: str | None) -> Customer:
    save_profile(customer, name, email, phone)
    customer.onboarding_step = "plan"
    return customer


def plan_chosen(customer: Customer) -> bool:
    """Move past the plan step once a contract exists (billing moves it too, when it creates one)."""
    if customer.onboarding_step == "plan" and active_contract(customer.customer_id) is not None:
        customer.onboarding_step = "agent"
        return True
    return False


def create_first_agent(customer: Customer, name: str) -> Agent:
    """The first agent, with the default prompt; NotEntitled without an active plan. Onboarding ends."""
    require(customer.customer_id)
    agent = create_agent(customer.customer_id, name)
    customer.onboarding_step = "done"
    db.session.flush()
    return agent
