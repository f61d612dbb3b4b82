"""Local accounts: creating customers with hashed passwords and checking sign-ins."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from dashboard.auth.models import Customer
from dashboard.extensions import db

# A hash to compare against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def find_customer_by_email(email: str) -> Customer | None:
    return db.session.scalars(db.select(Customer).where(Customer.email == email.strip().lower())).first()


def authenticate(email: str, password: str) -> Customer | None:
    """The customer whose email and password these are, or None."""
    customer = find_customer_by_email(email)
    if customer is None or not customer.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return customer if check_password_hash(customer.password_hash, password) else None


def create_customer(name: str, email: str, password: str | None = None, phone: str | None = None, **fields) -> Customer:
    customer = Customer(
        name=name.strip(),
        email=email.strip().lower(),
        phone=phone,
        password_hash=hash_password(password) if password else None,
        **fields,
    )
    db.session.add(customer)
    db.session.flush()
    return customer


def delete_customer(customer: Customer) -> None:
    """Delete a customer and, through ON DELETE CASCADE, everything it owns."""
    db.session.execute(db.delete(Customer).where(Customer.customer_id == customer.customer_id))
    db.session.expunge(customer)
