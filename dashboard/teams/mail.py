"""The invitation and password-reset emails: background jobs through the mail gateway (not the follow-up send log)."""
from __future__ import annotations

from dashboard.auth.models import Customer, Invitation, Member, PasswordReset
from dashboard.auth.passwords import reset_token, why_unusable
from dashboard.emails.mail_gateway import MailError, OutgoingEmail, send
from dashboard.extensions import db
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
        raise failed.for_the_job(f"invitation {invitation_id} not sent: ") from None


def send_password_reset(password_reset_id: int, base_url: str) -> None:
    """Email a forgotten password's link; nothing once it was used or has expired."""
    reset = db.session.get(PasswordReset, password_reset_id)
    if reset is None or why_unusable(reset):
        return
    member = db.session.get(Member, reset.member_id)
    customer = db.session.get(Customer, reset.customer_id)
    link = f"{base_url.rstrip('/')}/password/reset/{reset_token(reset)}"
    body = (f"Someone, hopefully you, asked to reset the password you use to sign in to {customer.name} on AngelCX.\n\n"
            f"Choose a new password (the link works once, within an hour):\n{link}\n\n"
            "If you did not ask, ignore this email: your password stays as it is.\n")
    db.session.commit()  # no transaction stays open while the mail server is asked
    try:
        send(OutgoingEmail(recipient=member.email, subject="Reset your AngelCX password", body=body,
                           sender_name="AngelCX"))
    except MailError as failed:
        raise failed.for_the_job(f"password reset {password_reset_id} not sent: ") from None
