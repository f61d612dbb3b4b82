"""The shared catalog for the demo: the repository's catalog.yaml, loaded as `flask catalog sync` does."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from dashboard.integrations.catalog_file import load_catalog
from dashboard.integrations.catalog_sync import sync_catalog

CATALOG_FILE = Path(__file__).resolve().parents[2] / "catalog.yaml"


def seed_catalog() -> None:
    sync_catalog(load_catalog(CATALOG_FILE, Path(current_app.static_folder)))
