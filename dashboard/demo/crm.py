"""Demo leads, services (with their price history), matches and interactions (CallCall.ai models) for a demo
customer; engagement follows from the interactions."""
from __future__ import annotations

import random

from sqlalchemy import func, select

from dashboard.crm.models import Interaction, Lead, ServiceMatch
from dashboard.crm.operations import create_service, save_interaction
from dashboard.demo.scripts import FIRST_NAMES, LAST_NAMES
from dashboard.extensions import db

SERVICES = (
    ("consulting", 250, 60, "Treatment planning consultation"),
    ("cosmetic", 299, 90, "Teeth whitening"),
    ("orthodontics", 3500, 45, "Invisalign aligners"),
    ("maintenance", 120, 45, "Cleaning and check-up"),
)


def ensure_crm(customer_id: int, seed: int, leads: int = 60) -> None:
    if db.session.scalar(select(func.count()).where(Lead.customer_id == customer_id)):
        return
    rng = random.Random(seed)
    services = [create_service(customer_id, {"type": kind, "details": {"price": price, "duration": minutes,
                                                                       "category": "dental", "description": description},
                                             "location": {"city": "Example City", "state": "EX"},
                                             "features": ["free_consultation"]})
                for kind, price, minutes, description in SERVICES]
    for i in range(leads):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        lead = Lead(customer_id=customer_id, first_name=first, last_name=last, score=rng.randint(10, 99),
                    email=f"{first}.{last}.lead{i}@example.net".lower().replace("ü", "u"),
                    phone=f"+1415666{i:04d}", status=rng.choice(("active", "active", "active", "inactive")),
                    preferences={"service_types": [rng.choice(SERVICES)[0]], "price_range": {"min": 100, "max": 1000}},
                    engagement={"preferred_contact_time": "evening"})
        db.session.add(lead)
        db.session.flush()
        for service in rng.sample(services, rng.randint(0, 2)):
            db.session.add(ServiceMatch(customer_id=customer_id, lead_id=lead.lead_id, service_id=service.service_id,
                                        score=rng.randint(50, 99), match_factors=["price_range", "location"],
                                        status="presented"))
        for _ in range(rng.randint(0, 3)):
            save_interaction(Interaction(customer_id=customer_id, lead_id=lead.lead_id), {
                "type": rng.choice(("call", "email", "note")), "channel": rng.choice(("phone", "email")),
                "content": rng.choice(("Asked about prices.", "Wants an appointment next week.", "Sent the brochure.")),
                "sentiment": rng.choice(("positive", "neutral")), "ai_analysis": {"urgency": "low"}})
    db.session.commit()
