"""`flask catalog sync FILE` (plans, prompts, apps from catalog.yaml) and `flask integrations rotate-key`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from dashboard.extensions import db
from dashboard.integrations.catalog_file import CatalogError, load_catalog
from dashboard.integrations.catalog_sync import sync_catalog
from dashboard.integrations.tokens import rotate_stored_tokens
from dashboard.signals import collect, rotate_encrypted_secrets

catalog_cli = AppGroup("catalog", help="The shared catalog: plans, prompts and third-party apps.")
integrations_cli = AppGroup("integrations", help="Third-party app connections.")


def sync_catalog_file(path: Path | str, echo=click.echo) -> dict:
    """Check and load a catalog file in one transaction; CatalogError (nothing written) when it is invalid."""
    data = load_catalog(path, Path(current_app.static_folder))
    counts = sync_catalog(data)
    db.session.commit()
    for kind in ("plans", "prompt templates", "prompts", "apps"):
        parts = [f"{count} {outcome}" for (k, outcome), count in sorted(counts.items()) if k == kind]
        echo(f"{kind}: {', '.join(parts) or 'nothing'}")
    return counts


@catalog_cli.command("sync")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def sync_command(file: Path) -> None:
    """Load FILE (catalog.yaml): add or update plans, prompts and apps; retire apps no longer listed.

    Safe to run again. Run `flask billing sync-stripe` afterwards when plans or prices changed.
    """
    try:
        sync_catalog_file(file)
    except CatalogError as invalid:
        db.session.rollback()
        raise click.ClickException(f"{file} is not a valid catalog; nothing was changed:\n  "
                                   + "\n  ".join(invalid.problems)) from None


def rotate_key() -> int:
    """Re-encrypt every stored secret under the first TOKEN_ENCRYPTION_KEY, in one transaction; how many."""
    rewritten = rotate_stored_tokens() + sum(collect(rotate_encrypted_secrets, None))
    db.session.commit()
    return rewritten


@integrations_cli.command("rotate-key")
def rotate_key_command() -> None:
    """Re-encrypt stored OAuth tokens and webhook secrets under the first key of TOKEN_ENCRYPTION_KEY.

    Set TOKEN_ENCRYPTION_KEY="NEW,OLD" first (OLD still reads), run this, then drop OLD.
    """
    from dashboard.encryption import InvalidToken

    try:
        rewritten = rotate_key()
    except InvalidToken:
        db.session.rollback()
        raise click.ClickException("A stored value is not readable by any key in TOKEN_ENCRYPTION_KEY; add the "
                                   "key it was encrypted with (after the new one). Nothing was changed.") from None
    click.echo(f"{rewritten} stored secret(s) re-encrypted under the first key.")
