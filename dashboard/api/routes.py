"""The API's index, and its published contract: /api/v1/openapi.json and the reference page /api/docs (no key)."""
from flask import Blueprint, jsonify, render_template, url_for

from dashboard.access import public
from dashboard.api import bp
from dashboard.api.contract import documented
from dashboard.api.openapi import document
from dashboard.extensions import talisman
from dashboard.security_headers import API_REFERENCE_PAGE

docs_bp = Blueprint("api_docs", __name__)

INDEX_OUT = {"type": "object", "required": ["name", "version", "documentation", "openapi"],
             "properties": {"name": {"type": "string"}, "version": {"type": "string"},
                            "documentation": {"type": "string"}, "openapi": {"type": "string"}}}


@bp.get("/")
@documented("The API's index: where its contract is", "Contract", response=INDEX_OUT)
def index():
    return jsonify(name="AngelCX API", version="v1", documentation=url_for("api_docs.reference"),
                   openapi=url_for("api_docs.openapi"))


@docs_bp.get("/api/v1/openapi.json")
@public
def openapi():
    return jsonify(document())


@docs_bp.get("/api/docs")
@public
@talisman(**API_REFERENCE_PAGE)
def reference():
    return render_template("api/docs.html")
