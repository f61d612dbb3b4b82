"""The invitation email: a background job through the mail gateway (not the follow-up send log)."""
from __future__ import annotations

from dashboard.auth.models import Customer, Invitation, Member
from dashboard.emails.mail_gateway import MailError, OutgoingEmail, send
from dashboard.extensions import db
from dashboard.jobs.runner import Retry
from dashboard.teams.operations import token_for, why_closed


def send_invitation(invitation_id: int, base_url: str) -> None:
    """Email the invitation's link; nothing when it was used, withdrawn or has expired meanwhile."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or why_closed(invitation):
        return
    customer = db.session.get(Customer, invitation.customer_id)
    inviter = db.session.get(Member, invitation.invited_by_member_id) if invitation.invited_by_member_id else None
    link = f"{base_url.rstrip('/')}/invitations/{token_for(invitation)}"
    who = inviter.name if inviter else "Someone"
    body = (f"{who} invited you to join {customer.name} on AngelCX as {invitation.role}.\n\n"
            f"Accept the invitation (the link works once, for 7 days):\n{link}\n\n"
            "If you did not expect this, ignore this email.\n")
    db.session.commit()  # no transaction stays open while the mail server is asked
    try:
        send(OutgoingEmail(recipient=invitation.email, subject=f"Join {customer.name} on AngelCX", body=body,
                           sender_name="AngelCX"))
    except MailError as failed:
        raise Retry(f"invitation {invitation_id} not sent: {failed.message}") from None
