"""The builder's sections: each loads its own context; the page composes them all, a section's POST renders only its own."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter

from flask import current_app, flash, g, redirect, url_for
from sqlalchemy import select

from dashboard.agents.models import Agent
from dashboard.billing.entitlements import entitlements
from dashboard.billing.models import Plan, PlanAccess
from dashboard.extensions import db
from dashboard.fragments import render_page_or_fragment, wants_fragment
from dashboard.signals import builder_sections, collect


@dataclass(frozen=True)
class Section:
    """One section of the agent page: `context(agent)` loads what its template needs, and nothing else."""

    key: str
    title: str
    order: int  # the place on the page: Details 10, Prompt 20, … Integrations 70, Embed 80
    context: Callable[[Agent], dict]
    template: str = field(default="")

    def __post_init__(self):
        if not self.template:
            object.__setattr__(self, "template", f"agents/_{self.key}.html")


_OWN: dict[str, Section] = {}


def section(key: str, title: str, order: int):
    """Register the decorated `context(agent)` loader as one of the agents domain's own sections."""
    def register(loader: Callable[[Agent], dict]):
        _OWN[key] = Section(key, title, order, loader)
        return loader
    return register


def page_sections(agent: Agent) -> list[Section]:
    """Every section of the page in order: ours, and those higher domains add (the builder_sections signal)."""
    added = collect(builder_sections, current_app._get_current_object(), agent=agent)
    return sorted([*_OWN.values(), *added], key=attrgetter("order"))


def plan_access(customer_id: int) -> PlanAccess | None:
    """The customer's plan access, looked up once per request however many sections ask (rendering only)."""
    cache = g.setdefault("builder_plan_access", {})
    if customer_id not in cache:
        cache[customer_id] = entitlements(customer_id)
    return cache[customer_id]


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


def render_builder(agent: Agent, section_key: str | None = None, status: int = 200, **overrides):
    """The one section's fragment for HTMX, else the whole page (e.g. a plain form post with errors).

    Only the page loads every section's context; a section's fragment loads its own alone.
    """
    own = _OWN[section_key] if section_key else None

    def whole_page() -> dict:
        sections = page_sections(agent)
        context = {"sections": sections}
        for each in sections:
            context.update(each.context(agent))
        return {**context, **overrides}

    context = {"agent": agent, **(own.context(agent) if own and wants_fragment() else {}), **overrides}
    return render_page_or_fragment("agents/show.html", own.template if own else None, context, status=status,
                                   page_context=whole_page)


def saved(agent: Agent, section_key: str, message: str, **overrides):
    """After a section saved: its fresh fragment for HTMX, else back to the page at that section."""
    if wants_fragment():
        response = render_builder(agent, section_key, saved_message=message, **overrides)
        # The Embed section shows the compiled agent: it reloads itself on this event.
        response.headers["HX-Trigger"] = "agent-changed"
        return response
    flash(message, "success")
    return redirect(url_for("agents.show", agent_id=agent.agent_id, _anchor=section_key))
