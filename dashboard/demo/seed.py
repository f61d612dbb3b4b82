"""`flask seed-demo`: idempotent; every run leaves the same accounts and tops conversations up."""
from __future__ import annotations

import secrets
from pathlib import Path

from dashboard.analytics.rollups import rebuild
from dashboard.demo.accounts import DEMO, OTHER, ensure_account
from dashboard.demo.catalog import seed_catalog
from dashboard.demo.conversations import ensure_conversations
from dashboard.demo.crm import ensure_crm
from dashboard.extensions import db


def demo_password(instance_path: Path, from_env: str | None) -> tuple[str, bool]:
    """DEMO_PASSWORD, else the one generated on an earlier run, else a new one; and whether it is new."""
    if from_env:
        return from_env, False
    saved = instance_path / "demo_password"
    if saved.exists():
        return saved.read_text().strip(), False
    password = secrets.token_urlsafe(12)
    saved.write_text(password)
    saved.chmod(0o600)
    return password, True


def seed_demo(password: str, scale: int = 1, echo=print) -> None:
    seed_catalog()
    db.session.commit()
    for seed, account in enumerate((DEMO, OTHER), start=1):
        customer, created = ensure_account(account, password)
        db.session.commit()
        echo(f"{'Created' if created else 'Found'} {account.name} ({account.email}).")
        added = ensure_conversations(customer.customer_id, account.conversations * scale, seed)
        echo(f"  {added:,} conversations added.")
        ensure_crm(customer.customer_id, seed)
        if added:  # the demo's rows are bulk-inserted, past the signals that keep the rollups
            rebuild([customer.customer_id])
            db.session.commit()
