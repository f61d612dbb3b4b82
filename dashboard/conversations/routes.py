"""The conversations list: filters, full-text search and keyset pages, as a page or its HTMX fragments."""
from flask import render_template, request

from dashboard.conversations import bp, search
from dashboard.conversations.forms import ConversationFilterForm
from dashboard.extensions import htmx
from dashboard.tenancy import current_customer


def filter_form() -> ConversationFilterForm:
    return ConversationFilterForm(request.args, search.agents_of(current_customer.customer_id))


@bp.get("/")
def index():
    form = filter_form()
    if not form.validate():
        status, result, total = 422, None, None
    else:
        status = 200
        cursor = search.Cursor.decode(form.cursor.data)
        result = search.page(current_customer.customer_id, form.filters(), cursor)
        # The count belongs to the first page; "Load more" only appends rows.
        total = search.count(current_customer.customer_id, form.filters()) if cursor is None else None
    template = "conversations/index.html"
    if htmx and htmx.target == "load-more":
        template = "conversations/_rows.html"
    elif htmx and htmx.target == "results":
        template = "conversations/_results.html"
    response = render_template(template, form=form, result=result, total=total, count_cap=search.COUNT_CAP,
                               any_filter=bool(form.query_args()))
    return response, status, {"Vary": "HX-Request, HX-Target"}
