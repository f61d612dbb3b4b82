"""Agents: the agent builder, by section: details and prompt, voice, widget, tools, knowledge and embed."""
from flask import Blueprint

bp = Blueprint("agents", __name__, url_prefix="/agents")

# Each sub-package's routes add their URLs to `bp` and their section to the builder page.
from dashboard.agents import builder, knowledge, tools, voice, widget  # noqa: E402,F401
from dashboard.agents.widget.public import widget_bp  # noqa: E402


def blueprints() -> list[Blueprint]:
    """The blueprints this domain serves: the builder under /agents and the widget's public /widget/*."""
    return [bp, widget_bp]


# Until create_app registers every domain's blueprints(), the widget's public endpoints come with this package.
bp.record_once(lambda state: state.app.register_blueprint(widget_bp))
