"""One conversation: its transcript page, re-running its analysis, and its recording proxied from Ultravox."""
from flask import Response, abort, flash, redirect, render_template, stream_with_context, url_for

from dashboard.conversations import bp, transcript, ultravox_gateway
from dashboard.conversations.analysis import analyze_conversation
from dashboard.conversations.models import Conversation
from dashboard.extensions import db
from dashboard.jobs import defer, dispatch_pending
from dashboard.tenancy import get_owned_or_404


@bp.get("/<int:conversation_id>")
def transcript_page(conversation_id: int):
    conversation = get_owned_or_404(Conversation, conversation_id)
    return render_template("conversations/transcript.html", t=transcript.load(conversation), pretty=transcript.pretty)


@bp.post("/<int:conversation_id>/analysis")
def rerun_analysis(conversation_id: int):
    conversation = get_owned_or_404(Conversation, conversation_id)
    if conversation.is_active:
        flash("This conversation is still going on; it is analysed when it ends.", "warning")
    else:
        job = defer(analyze_conversation, conversation.session_id)
        db.session.commit()
        dispatch_pending()  # inline without Redis: then the job is done before the page reloads
        if job.state == "done":
            flash("The analysis was run again.", "success")
        else:
            flash("The analysis is being run again; reload in a moment to see it.", "info")
    return redirect(url_for("conversations.transcript_page", conversation_id=conversation_id))


@bp.get("/<int:conversation_id>/recording")
def recording(conversation_id: int):
    conversation = get_owned_or_404(Conversation, conversation_id)
    lock = transcript.recording_lock(conversation)
    if lock:
        abort(403, lock)
    try:
        upstream = ultravox_gateway.open_recording(conversation.ultravox_call_id)
    except ultravox_gateway.UltravoxError as error:
        abort(502, f"The recording could not be loaded from Ultravox: {error.message}")

    def chunks():
        with upstream:
            yield from upstream.iter_content(64 * 1024)

    return Response(stream_with_context(chunks()), content_type=upstream.headers.get("Content-Type", "audio/wav"),
                    headers={"Cache-Control": "private, max-age=300"})
