"""The conversations list: filters, full-text search and keyset pages, as a page or its HTMX fragments."""
from flask import render_template, request

from dashboard.conversations import bp, search, snippets
from dashboard.conversations.forms import ConversationFilterForm
from dashboard.fragments import render_page_or_fragment
from dashboard.tenancy import current_customer


def filter_form() -> ConversationFilterForm:
    return ConversationFilterForm(request.args, search.agents_of(current_customer.customer_id))


@bp.get("/")
def index():
    form = filter_form()
    status, result, total, first_page = 422, None, None, True
    if form.validate():
        status = 200
        cursor = form.cursor.data or None
        first_page = cursor is None
        result = search.page(current_customer.customer_id, form.filters(), cursor)
        # Counting every match of a word can take longer than the rows themselves: a search's count
        # is fetched by the page afterwards (see count()); "Load more" only appends rows.
        if first_page and not form.filters().q:
            total = search.count(current_customer.customer_id, form.filters())
    passages = snippets.passages((row[0].session_id for row in result.rows), form.q.data) if result else {}
    context = {"form": form, "result": result, "total": total, "first_page": first_page, "passages": passages,
               "count_cap": search.COUNT_CAP, "any_filter": bool(form.query_args())}
    return render_page_or_fragment(
        "conversations/index.html", {"load-more": "conversations/_rows.html", "results": "conversations/_results.html"},
        context, status=status)


@bp.get("/count")
def count():
    """How many conversations match the filters: the fragment a search's result page loads after its rows."""
    form = filter_form()
    if not form.validate():
        return "", 422
    total = search.count(current_customer.customer_id, form.filters())
    return render_template("conversations/_count.html", total=total, count_cap=search.COUNT_CAP, any_filter=True)
