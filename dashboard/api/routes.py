"""The API's index."""
from flask import jsonify

from dashboard.api import bp


@bp.get("/")
def index():
    return jsonify(name="AngelCX API", version="v1", documentation="/README.md#api")
