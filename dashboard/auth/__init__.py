"""Sign-in, sign-out, onboarding, account settings and the guard that keeps every other page behind sign-in."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
onboarding_bp = Blueprint("onboarding", __name__, url_prefix="/onboarding")
settings_bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.record_once
def _register_companions(state):
    # create_app registers one blueprint per domain; the auth domain brings its two companions along.
    state.app.register_blueprint(onboarding_bp)
    state.app.register_blueprint(settings_bp)


from dashboard.auth import guard, onboarding_routes, routes, settings_routes  # noqa: E402,F401
