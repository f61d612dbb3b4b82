"""The signals between domains: how a lower domain hears from, or asks something of, a higher one.

Domains form layers (auth ← billing ← agents ← integrations ← conversations ← emails, analytics,
crm ← onboarding, api); a domain imports only those below it. When a lower domain must react to a
higher one, or show what a higher one contributes, it sends one of these signals and the higher
domain listens (`@signal.connect`, registered when its package is imported by `create_app`).
Receivers that contribute something return it; the sender collects the returned values.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

contract_activated = _signals.signal("contract-activated")
"""billing sends it when a customer's contract becomes active (kwargs: customer).

Sent inside the transaction that activates the contract; receivers change rows in that same
transaction and call nothing outside it. Onboarding moves a customer past its plan step.
"""

analysis_stored = _signals.signal("analysis-stored")
"""conversations sends it when a conversation's analysis has been written, before its commit
(kwargs: session_id). Receivers only add rows to that transaction (the emails domain records its
follow-up job with `dashboard.jobs.defer`), so they are committed, or rolled back, with the analysis.
"""

conversation_ended = _signals.signal("conversation-ended")
"""conversations sends it when a conversation has ended, before its commit (kwargs: session_id).
Receivers only add rows to that transaction (outgoing webhooks record their deliveries and jobs).
"""

conversation_measured = _signals.signal("conversation-measured")
"""conversations sends it when an ended conversation's measures changed later (Ultravox billed its minutes, so
its over-limit flag may change too), before its commit (kwargs: session_id). Analytics moves its rollups."""

conversation_started = _signals.signal("conversation-started")
"""conversations sends it when a conversation has been opened, before its commit (kwargs: session_id)."""

email_sent = _signals.signal("email-sent")
"""emails sends it when a follow-up email was sent or failed for good, before that status is committed
(kwargs: email_log_id, status: "sent" | "failed", session_id: the conversation it follows up, or None)."""

count_follow_ups = _signals.signal("count-follow-ups")
"""analytics asks how many follow-up emails were sent and failed per conversation (kwargs: session_id=ID, or
customer_id=ID for all of a customer's). Each receiver returns a select of (session_id, sent, failed) rows, one
per conversation with any email; the emails domain answers. Analytics keeps these counts in its rollups."""

time_zone_changed = _signals.signal("time-zone-changed")
"""auth sends it when a customer's time zone was changed, before its commit (kwargs: customer_id). Analytics
records a job that recomputes the customer's daily rollups (days are local days)."""

lead_saved = _signals.signal("lead-saved")
"""crm sends it when a lead was created or changed, before its commit (kwargs: lead_id, created: bool)."""

contract_updated = _signals.signal("contract-updated")
"""billing sends it when a contract was created, renewed, changed or ended by Stripe, before its commit
(kwargs: contract_id)."""

measure_usage = _signals.signal("measure-usage")
"""billing asks what a customer used (kwargs: customer_id, since: the period's start or None).

Each receiver returns a dict of metered limit name → amount used, e.g. {"max_file_uploads": 3};
billing adds them up. Conversations measures call minutes and text messages; agents measures
knowledge files and web sources.
"""

builder_sections = _signals.signal("builder-sections")
"""agents asks for sections that higher domains add to an agent's builder page (kwargs: agent).

Each receiver returns a `dashboard.agents.builder.sections.Section`-shaped object or None.
"""

transcript_panels = _signals.signal("transcript-panels")
"""conversations asks for panels that higher domains add to a transcript page
(kwargs: conversation). Each receiver returns (template name, context dict) or None.
"""

rotate_encrypted_secrets = _signals.signal("rotate-encrypted-secrets")
"""`flask integrations rotate-key` asks higher domains to re-encrypt what they keep encrypted under the first
TOKEN_ENCRYPTION_KEY (dashboard.encryption.rotate), in its transaction (kwargs: none). Each receiver returns how
many values it rewrote (webhooks_out: endpoint signing secrets).
"""

agent_extensions = _signals.signal("agent-extensions")
"""agents asks what higher domains add to an agent's conversations (kwargs: agent, reveal_secrets: bool).

Channel-neutral, for voice (the Ultravox call) and text chat alike. Each receiver returns a list of
`dashboard.agents.extensions.Extension`-shaped objects: `prompt` (text added to the system prompt, or None)
and `tools` (each {"name", "description", "url", "method", "parameters": [{"name", "description", "schema",
"required"}], "headers": {name: value}}; the tool is called with the arguments as a JSON body and the headers;
`url` is absolute when asked within a request, else a path on this server).
With reveal_secrets false (a page showing the compiled call) header values are replaced by "********".
"""


def collect(signal, sender, **kwargs) -> list:
    """Send `signal` and return the receivers' answers that are not None, in connection order."""
    return [answer for _receiver, answer in signal.send(sender, **kwargs) if answer is not None]
