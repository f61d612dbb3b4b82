"""`flask catalog sync FILE`: the catalog's rows made to match catalog.yaml, safe to run again and again.

Plans are found by name ("Starter Monthly"), prompt templates and prompts by name, apps by slug. Plans and
apps no longer in the file are kept (contracts and connections point at them): plans stop being offered
(`is_active` false), apps are retired (offered to no new connection). Prompts no longer in the file stay, as
agents may use them.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import select, update

from dashboard.agents.models import Prompt, PromptTemplate
from dashboard.billing.models import Plan, PlanAccess
from dashboard.extensions import db
from dashboard.integrations.models import ThirdPartyApp

ACCESS_DEFAULTS = dict(customize_bot_color=False, customize_bot_avatar=False, customize_bot_voice=False,
                       customize_bot_name=False, send_emails=False, call_recordings=False, connect_apps=True)


def _apply(row, values: dict) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


def _upsert(model, lookup: dict, values: dict) -> tuple[object, str]:
    row = db.session.scalars(select(model).filter_by(**lookup)).first()
    if row is None:
        row = model(**lookup, **values)
        db.session.add(row)
        db.session.flush()
        return row, "added"
    return row, "updated" if _apply(row, values) else "unchanged"


def _sync_plans(plans: list[dict], counts: dict) -> None:
    wanted = set()
    for entry in plans:
        access_values = {**ACCESS_DEFAULTS, **entry["access"]}
        for cadence, cost in entry["prices"].items():
            name = f"{entry['name']} {cadence.title()}"
            wanted.add(name)
            existing = db.session.scalars(select(Plan).where(Plan.name == name)).first()
            access = existing.access if existing else PlanAccess()
            access_changed = _apply(access, access_values)
            db.session.add(access)
            db.session.flush()
            access_bits = entry["access"]
            _, outcome = _upsert(Plan, {"name": name}, dict(
                description=f"{entry['name']}: {access_bits['max_call_minutes']:,} call minutes and "
                            f"{access_bits['max_text_messages']:,} text messages a month"
                            + (", billed yearly." if cadence == "yearly" else "."),
                cadence=cadence, cost_usd=Decimal(cost), plan_access_id=access.plan_access_id, tier=entry["tier"],
                lookup_key=f"{entry['name'].lower().replace(' ', '_')}_{cadence}", is_active=True))
            counts[("plans", "updated" if outcome == "unchanged" and access_changed and existing else outcome)] += 1
    for plan in db.session.scalars(select(Plan).where(Plan.name.not_in(wanted), Plan.is_active.is_(True))):
        plan.is_active = False
        counts[("plans", "withdrawn")] += 1


def _sync_prompts(templates: list[dict], counts: dict) -> None:
    default_name = None
    for entry in templates:
        template, outcome = _upsert(PromptTemplate, {"name": entry["name"]}, {"description": entry.get("description")})
        counts[("prompt templates", outcome)] += 1
        for prompt in entry["prompts"]:
            _, outcome = _upsert(Prompt, {"name": prompt["name"]}, dict(
                description=prompt.get("description"), content=prompt["content"], prompt_template_id=template.id))
            counts[("prompts", outcome)] += 1
            if prompt.get("default"):
                default_name = prompt["name"]
    # One default at a time (a partial unique index): clear the others before setting it.
    db.session.execute(update(Prompt).where(Prompt.is_default.is_(True), Prompt.name != default_name)
                       .values(is_default=False))
    db.session.flush()
    db.session.execute(update(Prompt).where(Prompt.name == default_name).values(is_default=True))


def _sync_apps(apps: list[dict], counts: dict) -> None:
    for entry in apps:
        prompt_id = None
        if entry.get("prompt"):
            # An app's prompt is not in the library (no template): it is added to agents connected to the app.
            prompt, outcome = _upsert(Prompt, {"name": entry["prompt"]["name"]},
                                      dict(content=entry["prompt"]["content"], prompt_template_id=None,
                                           description=f"Added by {entry['name']} to connected agents."))
            counts[("prompts", outcome)] += 1
            prompt_id = prompt.prompt_id
        _, outcome = _upsert(ThirdPartyApp, {"slug": entry["slug"]}, dict(
            name=entry["name"], description=entry["description"], icon=entry["icon"], prompt_id=prompt_id,
            is_coming_soon=entry["coming_soon"], oauth=entry.get("oauth"), actions=entry.get("actions") or [],
            is_retired=False))
        counts[("apps", outcome)] += 1
    slugs = [entry["slug"] for entry in apps]
    for app in db.session.scalars(select(ThirdPartyApp).where(ThirdPartyApp.slug.not_in(slugs),
                                                              ThirdPartyApp.is_retired.is_(False))):
        app.is_retired = True
        counts[("apps", "retired")] += 1


def sync_catalog(data: dict) -> dict[tuple[str, str], int]:
    """Make the catalog rows match `data` (from catalog_file.parse_catalog), in the caller's transaction.

    Returns counts by (kind, outcome), e.g. {("apps", "added"): 3, ("apps", "retired"): 1}.
    """
    counts: Counter = Counter()
    _sync_plans(data["plans"], counts)
    _sync_prompts(data["prompt_templates"], counts)
    _sync_apps(data["apps"], counts)
    db.session.flush()
    return dict(counts)
