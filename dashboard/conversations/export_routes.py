"""GET /conversations/export.csv and .jsonl: the filtered list, streamed."""
from flask import Response, stream_with_context

from dashboard.auth import audit
from dashboard.conversations import bp, export
from dashboard.conversations.routes import filter_form
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.tenancy import current_customer


def _stream(lines, content_type: str, extension: str) -> Response:
    form = filter_form()
    if not form.validate():
        problems = "; ".join(f"{form[name].label.text}: {' '.join(errors)}" for name, errors in form.errors.items())
        return Response(f"The filters are not valid: {problems}\n", status=422, content_type="text/plain")
    filename = f"conversations-{utcnow():%Y%m%d-%H%M}.{extension}"
    audit.record(current_customer.customer_id, "export", f"conversations {extension.upper()}",
                 {"filters": [None, {key: str(value) for key, value in form.data.items() if value and key != "csrf_token"}]})
    db.session.commit()
    return Response(stream_with_context(lines(current_customer.customer_id, form.filters())),
                    content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/export.csv")
def export_csv():
    return _stream(export.csv_lines, "text/csv; charset=utf-8", "csv")


@bp.get("/export.jsonl")
def export_jsonl():
    return _stream(export.jsonl_lines, "application/x-ndjson; charset=utf-8", "jsonl")
