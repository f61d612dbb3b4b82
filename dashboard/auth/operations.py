"""Customer accounts: local passwords, sign-in checks and the business profile."""
from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.auth.models import Customer, Member
from dashboard.extensions import db
from dashboard.signals import time_zone_changed

# A hash to compare against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def find_customer_by_email(email: str) -> Customer | None:
    return db.session.scalars(db.select(Customer).where(Customer.email == email.strip().lower())).first()


def find_member_by_email(email: str) -> Member | None:
    return db.session.scalars(db.select(Member).where(Member.email == email.strip().lower())).first()


def authenticate(email: str, password: str) -> Member | None:
    """The member whose email and password these are, or None."""
    member = find_member_by_email(email)
    if member is None or not member.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return member if check_password_hash(member.password_hash, password) else None


def create_customer(name: str, email: str, password: str | None = None, phone: str | None = None,
                    person_name: str | None = None, **fields) -> Customer:
    """A new business and its owner member (who signs in with `email` and `password` or Cognito)."""
    customer = Customer(name=name.strip(), email=email.strip().lower(), phone=phone, **fields)
    db.session.add(customer)
    db.session.flush()
    db.session.add(Member(customer_id=customer.customer_id, name=(person_name or name).strip(), email=customer.email,
                          role="owner", transcripts_hidden=False, cognito_id=customer.cognito_id,
                          password_hash=hash_password(password) if password else None))
    db.session.flush()
    return customer


def delete_customer(customer: Customer) -> None:
    """Delete a customer and, through ON DELETE CASCADE, everything it owns."""
    db.session.execute(db.delete(Customer).where(Customer.customer_id == customer.customer_id))
    db.session.expunge(customer)


class ProfileTaken(Exception):
    """Another business already uses this name or email; `errors` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def _profile_conflicts(name: str, email: str, customer_id: int | None) -> dict[str, str]:
    others = db.select(Customer.name, Customer.email).where(
        (db.func.lower(Customer.name) == name.lower()) | (Customer.email == email))
    if customer_id is not None:
        others = others.where(Customer.customer_id != customer_id)
    errors = {}
    for other_name, other_email in db.session.execute(others):
        if other_name.lower() == name.lower():
            errors["name"] = "Another business already uses this name."
        if other_email == email:
            errors["email"] = "Another business already uses this email."
    if customer_id is None and "email" not in errors and find_member_by_email(email) is not None:
        # A new business's owner signs in with this email: it must not be someone else's sign-in.
        errors["email"] = "This email already signs in to a business."
    return errors


def save_profile(customer: Customer | None, name: str, email: str, phone: str | None, **fields) -> Customer:
    """Create (customer None) or update a business profile; ProfileTaken when the name or email is used."""
    name, email = name.strip(), email.strip().lower()
    errors = _profile_conflicts(name, email, customer.customer_id if customer else None)
    if errors:
        raise ProfileTaken(errors)
    try:
        if customer is None:
            customer = create_customer(name, email, phone=phone, **fields)
        else:
            customer.name, customer.email, customer.phone = name, email, phone
            db.session.flush()
    except IntegrityError:
        # Someone took the name or email between the check and the write; nothing else is pending.
        db.session.rollback()
        raise ProfileTaken({"name": "Another business just took this name or email. Please try again."}) from None
    return customer


def find_member_by_cognito_id(sub: str) -> Member | None:
    return db.session.scalars(db.select(Member).where(Member.cognito_id == sub)).first()


def owner_member(customer: Customer) -> Member:
    """The business's first owner (every business has one: the migration and create_customer make it)."""
    return db.session.scalars(db.select(Member).where(Member.customer_id == customer.customer_id,
                                                     Member.role == "owner").order_by(Member.member_id)).first()


def set_time_zone(customer: Customer, name: str) -> bool:
    """Change the customer's time zone (a valid IANA name); True when it changed. Analytics hears of it in
    this transaction and records a job that moves its rollups to the new local days."""
    if customer.time_zone == name:
        return False
    customer.time_zone = name
    db.session.flush()
    time_zone_changed.send(current_app._get_current_object(), customer_id=customer.customer_id)
    return True
