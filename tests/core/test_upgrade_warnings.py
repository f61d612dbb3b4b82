"""`flask db upgrade` on an empty database warns about nothing SQLAlchemy finds wrong (warnings are errors here)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import own_database

REPO_ROOT = Path(__file__).resolve().parents[2]

# A separate process: the models must be imported with the warnings filter already set, as `flask` imports them.
UPGRADE = """
import warnings
from sqlalchemy.exc import SADeprecationWarning, SAWarning
warnings.simplefilter("error", SAWarning)
warnings.simplefilter("error", SADeprecationWarning)
from flask_migrate import upgrade
from dashboard import create_app
with create_app().app_context():
    upgrade()
"""


def test_upgrading_an_empty_database_emits_no_sqlalchemy_warning(tmp_path):
    with own_database(tmp_path / "fresh.sqlite3", prefix="angelcx_upgrade") as url:
        env = {**os.environ, "DATABASE_URL": url, "FLASK_SKIP_DOTENV": "1", "INSTANCE_PATH": str(tmp_path),
               "SECRET_KEY": "upgrade-test-secret-key"}
        finished = subprocess.run([sys.executable, "-c", UPGRADE], cwd=REPO_ROOT, env=env, capture_output=True,
                                  text=True, timeout=240)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert "Warning" not in finished.stderr, finished.stderr[-3000:]
