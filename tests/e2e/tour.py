"""The page tour: every HTML page in the URL map, in the states a person meets it, at a desktop and a phone size.

`plan_visits(app)` derives the pages from `app.url_map`: every GET route is a page unless a rule below says why
not (the JSON API, the widget's public endpoints, downloads, machine endpoints, HTMX fragments, media, sign-in
hand-offs), so a page added later is toured without anyone listing it. `tests/core/test_page_tour_routes.py`
checks every GET route is one or the other, and that what is excluded really is not a page.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from dashboard.auth.onboarding_steps import STEP_ENDPOINTS
from dashboard.extensions import db

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"  # axe-core 4.14.1 from npm, MPL-2.0 (its LICENSE beside)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# What fails the tour: every serious or critical violation, and the structure rules the issue names (axe rates
# them moderate or minor): a skipped heading level, a table header with no text.
FAILING_IMPACTS = {"serious", "critical"}
FAILING_RULES = {"heading-order", "empty-table-header"}
# Parts of a page drawn by a vendored library, not by our templates, left out of axe's check (selector, why).
THIRD_PARTY = {
    "api_docs.reference": ("redoc", "the API reference is drawn by Redoc 2.5.1 (static/vendor): its colours and heading"
                                    " levels are Redoc's; the page around it is checked"),
}

# Paths that are not pages, first match wins.
NOT_PAGE_PATHS = (
    (("/api/v1/",), "the JSON API (api_docs.reference, its HTML reference, is toured)"),
    (("/static/", "/widget/"), "static files and the widget's public script, config and chat (JSON, JS)"),
    (("/webhooks/",), "webhooks called by Stripe and Ultravox"),
)
NOT_PAGE_SUFFIXES = ((".csv", ".jsonl", ".json"), "a download (an export)")
# Single endpoints that are not pages; tests/core/test_page_tour_routes.py checks each is what it says.
FRAGMENTS = {  # HTMX asks for these; a plain load shows the page they belong to, which is toured
    "agents.embed": "the builder's Embed section (plain load: the builder, agents.show)",
    "agents.voices": "the builder's voice list (plain load: the builder, agents.show)",
    "agents.knowledge_sources": "the builder's knowledge source list (plain load: the builder, agents.show)",
    "conversations.count": "the count a conversation search loads after its rows (conversations.index)",
    "webhooks_out.delivery_entry": "one entry of an endpoint's log (plain load: the endpoint, webhooks_out.show)",
}
NOT_HTML = {  # answers something else than a page, or sends the browser on
    "core.healthz": "liveness for machines (JSON)",
    "core.readyz": "readiness for machines (JSON)",
    "core.prometheus_metrics": "Prometheus text",
    "core.favicon": "the icon (a redirect to static/favicon.svg)",
    "agents.avatar": "an image",
    "agents.voice_preview": "an audio sample",
    "conversations.recording": "a call's recording (audio)",
    "auth.cognito_login": "sends the browser to Cognito",
    "auth.callback": "Cognito's return: signs in and redirects",
    "teams.accept_cognito": "Cognito's return for an invitation: redirects",
    "integrations.callback": "an OAuth provider's return: stores the connection and redirects",
    "billing.checkout_cancelled": "Stripe's cancel URL: redirects to billing.plans",
}


def not_a_page(rule) -> str | None:
    """Why this GET route is not toured, or None when it is a page."""
    for prefixes, reason in NOT_PAGE_PATHS:
        if rule.rule.startswith(prefixes):
            return reason
    if rule.rule.endswith(NOT_PAGE_SUFFIXES[0]):
        return NOT_PAGE_SUFFIXES[1]
    if rule.endpoint in FRAGMENTS:
        return f"an HTMX fragment: {FRAGMENTS[rule.endpoint]}"
    return NOT_HTML.get(rule.endpoint)


@dataclass(frozen=True)
class Visit:
    """One page in one state: signed-out, onboarding (a newcomer at that step), empty (a newcomer done with
    onboarding, no data yet) or populated (the demo business, with one of everything)."""

    endpoint: str
    state: str
    arguments: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.endpoint}@{self.state}"


STATES = ("signed-out", "onboarding", "empty", "populated")  # the order the tour signs in


def get_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods), key=lambda r: r.rule)


def plan_visits(app) -> list[Visit]:
    visits = []
    for rule in get_rules(app):
        if not_a_page(rule):
            continue
        arguments = tuple(sorted(rule.arguments))
        if rule.endpoint in STEP_ENDPOINTS.values():
            visits.append(Visit(rule.endpoint, "onboarding", arguments))
        elif getattr(app.view_functions[rule.endpoint], "is_public", False):
            visits.append(Visit(rule.endpoint, "signed-out", arguments))
        else:
            if not arguments:
                visits.append(Visit(rule.endpoint, "empty"))
            visits.append(Visit(rule.endpoint, "populated", arguments))
    return sorted(visits, key=lambda visit: (STATES.index(visit.state), visit.endpoint))


def url_values(customer) -> dict:
    """Ids for every URL argument, from the customer's own rows (the demo's), made by a factory where it has none."""
    from dashboard.auth.passwords import request_reset, reset_token
    from dashboard.models import Agent, Conversation, CustomTool, EmailTemplate, Lead, Member, Service
    from dashboard.teams.operations import token_for
    from tests import factories
    from tests.core.test_tenancy import OWNED

    def first(arg, model, key):
        row = db.session.scalar(select(model).where(model.customer_id == customer.customer_id).order_by(key))
        return getattr(row, key.key) if row is not None else OWNED[arg](customer)

    tool = db.session.scalar(select(CustomTool).join(Agent).where(Agent.customer_id == customer.customer_id)
                             .order_by(CustomTool.custom_tool_id))
    agent = tool.agent if tool else factories.make_agent(customer)
    tool = tool or factories.make_tool(agent)
    delivery = factories.make_webhook_delivery(customer)
    owner = db.session.scalars(select(Member).where(Member.customer_id == customer.customer_id, Member.role == "owner")
                               .order_by(Member.member_id)).first()
    values = {"agent_id": agent.agent_id, "tool_id": tool.custom_tool_id,
              "conversation_id": first("conversation_id", Conversation, Conversation.session_id),
              "template_id": first("template_id", EmailTemplate, EmailTemplate.email_pk),
              "lead_id": first("lead_id", Lead, Lead.lead_id), "service_id": first("service_id", Service, Service.service_id),
              "endpoint_id": delivery.webhook_endpoint_id, "delivery_id": delivery.webhook_delivery_id,
              "key_id": factories.make_api_key(customer)[0].api_key_id,
              # An argument whose meaning depends on the route is keyed "endpoint:argument".
              "teams.accept_invitation:token": token_for(factories.make_invitation(customer)),
              "account.reset_password:token": reset_token(request_reset(owner.email))}
    factories.make_knowledge_source(agent)
    factories.make_member(customer, role="editor", name="Maya Editor")
    db.session.commit()

    class Filled(dict):
        def __missing__(self, arg):  # a URL argument added later: the tenancy test's factory for it
            if arg not in OWNED:
                raise KeyError(f"the page tour has no value for the URL argument {arg!r}: add one in url_values "
                               "(tests/e2e/tour.py), keyed 'endpoint:argument' when it means something else elsewhere")
            self[arg] = OWNED[arg](customer)
            db.session.commit()
            return self[arg]

    return Filled(values)


def arguments_for(endpoint: str, arguments, values) -> dict:
    """The URL arguments of `endpoint`, each from "endpoint:argument" when given, else from "argument"."""
    return {arg: values[f"{endpoint}:{arg}"] if f"{endpoint}:{arg}" in values else values[arg] for arg in arguments}


AXE_RUN = r"""async ([tags, impacts, rules, exclude]) => {
  const context = exclude ? {exclude: [[exclude]]} : document;
  const result = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.filter(v => impacts.includes(v.impact) || rules.includes(v.id)).map(v => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
    targets: v.nodes.slice(0, 8).map(n => n.target.join(" ")),
    first: (v.nodes[0].failureSummary || "").replace(/\s+/g, " "),
  }));
}"""

# The outermost elements sticking out past the viewport's right edge (those inside a scroll box that ends
# within the viewport are clipped by it and do not widen the page).
OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const name = e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
    [...e.classList].slice(0, 3).map(c => "." + c).join("");
  const clipped = e => {
    for (let p = e.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible" && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > width + 1);
  const outermost = wide.filter(e => !wide.includes(e.parentElement)).sort((a, b) => clipped(a) - clipped(b));
  return {scrollWidth: document.documentElement.scrollWidth, width,
          culprits: outermost.slice(0, 6).map(e => name(e) + " (" + Math.round(e.getBoundingClientRect().right) + "px)")};
}"""
