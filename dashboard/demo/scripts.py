"""Conversation scenarios the demo draws from: what visitors ask, how agents answer, what it meant."""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    intent: str
    category: str
    category_description: str
    sentiment: tuple[float, float]
    summary: str
    action: str
    turns: tuple[tuple[str, str], ...]  # (visitor, agent)


SCENARIOS = [
    Scenario("book_appointment", "scheduling", "Booking, moving or cancelling an appointment.", (0.4, 0.9),
             "{name} booked an appointment for {day} at {time}.", "Send a confirmation email with the appointment details.",
             (("Hi, I'd like to book an appointment.", "Of course! What day works best for you?"),
              ("Do you have anything on {day}?", "We have openings on {day} at 9:30, {time} and 3:15. Which would you prefer?"),
              ("{time} is perfect.", "Great, could I have your full name and a phone number?"),
              ("It's {name}, {phone}.", "Thank you, {first}. You're booked for {day} at {time}."),)),
    Scenario("reschedule", "scheduling", "Booking, moving or cancelling an appointment.", (0.1, 0.6),
             "{name} moved an existing appointment to {day}.", "Update the calendar and confirm the new time.",
             (("I need to move my appointment.", "No problem. What name is the appointment under?"),
              ("{name}.", "I found it. When would you like to come in instead?"),
              ("Could we do {day} instead?", "{day} at {time} is available. Shall I move it?"),
              ("Yes please.", "Done! You're now booked for {day} at {time}."),)),
    Scenario("pricing_question", "sales", "Questions about prices, plans and what is included.", (0.0, 0.6),
             "{name} asked about prices for {service} and was sent the price list.", "Follow up with a quote for {service}.",
             (("How much does {service} cost?", "{service} starts at ${price}. The exact price depends on what's needed."),
              ("Is that covered by insurance?", "Many plans cover part of it. If you share your provider, we can check for you."),
              ("Can you email me the price list?", "Certainly. What email address should I send it to?"),
              ("{email}", "Sent! You'll find the full price list in your inbox in a minute."),)),
    Scenario("support_issue", "support", "Problems with an existing service or order.", (-0.6, 0.2),
             "{name} reported a problem after a recent visit; a ticket was opened.", "Call {first} back within one business day.",
             (("I had a treatment last week and I'm still in pain.", "I'm sorry to hear that. Can you describe the pain?"),
              ("It's a sharp pain when I drink something cold.", "Thank you. Sensitivity can happen after treatment, but we should check it."),
              ("Can someone look at it soon?", "I've flagged this for the team. Is {phone} the best number to reach you?"),
              ("Yes, that's right.", "A member of our team will call you today to arrange a quick check-up."),)),
    Scenario("complaint", "complaint", "Visitors unhappy with the service, billing or wait times.", (-0.9, -0.3),
             "{name} complained about waiting too long and being charged twice.", "Escalate to the office manager and refund the duplicate charge.",
             (("I waited 45 minutes past my appointment time. That's unacceptable.", "I'm really sorry about the wait. That's not the experience we want you to have."),
              ("And I was charged twice on my card.", "I understand how frustrating that is. Can you tell me the date of the charges?"),
              ("Both on {day}.", "Thank you. I've raised this with our billing team so the duplicate can be refunded."),
              ("I expect a refund this week.", "That's fair. Our office manager will call you to confirm the refund."),)),
    Scenario("opening_hours", "information", "General questions about hours, location and services.", (0.2, 0.7),
             "{name} asked about opening hours and parking.", "No follow-up needed.",
             (("What are your opening hours?", "We're open Monday to Friday 8am–6pm, and Saturdays 9am–1pm."),
              ("Is there parking nearby?", "Yes, there is free parking behind the building, and street parking on Main St."),
              ("Are you open on public holidays?", "We're closed on public holidays, but the emergency line is always available."),)),
    Scenario("new_customer", "sales", "Questions about prices, plans and what is included.", (0.3, 0.8),
             "{name} is a new customer interested in {service} and left contact details.", "Add {first} as a lead and call within 24 hours.",
             (("We just moved to the area and need a new provider.", "Welcome to the neighbourhood! We'd be happy to help. What are you looking for?"),
              ("Mainly {service} for two adults and a child.", "We offer {service} for the whole family. Would you like to book a first visit?"),
              ("Maybe. Can someone call me to talk it through?", "Of course. What's the best name and number?"),
              ("{name}, {phone}.", "Perfect, {first}. Someone from our team will call you tomorrow."),)),
]

SMALL_TALK = (
    ("Do you accept card payments?", "Yes, we accept all major cards and contactless payments."),
    ("Is the building wheelchair accessible?", "It is. There's step-free access from the car park and a lift to every floor."),
    ("Do I need to bring anything?", "Just a photo ID and your insurance card if you have one."),
    ("How long does a visit usually take?", "Most visits take 30 to 45 minutes."),
    ("Can I bring my child along?", "Absolutely, children are welcome and we have a small play corner."),
    ("Will I get a reminder?", "Yes, we send a text reminder the day before."),
    ("What if I'm running late?", "Just give us a call. We'll hold your slot for 15 minutes when we can."),
    ("Do you have weekend appointments?", "We do, on Saturday mornings."),
)

FIRST_NAMES = ("Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Priya", "Lucas", "Chloe", "Omar", "Sofia", "Daniel",
               "Hana", "Mateo", "Grace", "Ravi", "Elena", "Jack", "Aisha", "Leo")
LAST_NAMES = ("Nguyen", "Smith", "Patel", "Garcia", "Kim", "Johnson", "Rossi", "Okafor", "Müller", "Brown",
              "Silva", "Cohen", "Tanaka", "Walker", "Haddad")
SERVICES = (("teeth whitening", 299), ("a check-up", 89), ("Invisalign", 3500), ("a cleaning", 120), ("implants", 1800))
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
TIMES = ("10:00", "11:30", "1:00", "2:45", "4:30")


def fill(rng: random.Random, visitor: dict) -> dict:
    service, price = rng.choice(SERVICES)
    return {
        "name": visitor["name"], "first": visitor["name"].split()[0], "email": visitor["email"],
        "phone": visitor["phone"], "service": service, "price": price,
        "day": rng.choice(DAYS), "time": rng.choice(TIMES),
    }


def script(rng: random.Random, scenario: Scenario, values: dict) -> list[tuple[str, str]]:
    """The (role, content) turns of one conversation: greeting, the scenario, small talk, goodbye."""
    turns = [("agent", "Hi! Thanks for reaching out. How can I help you today?")]
    body = list(scenario.turns)
    for extra in rng.sample(SMALL_TALK, rng.randint(2, 6)):
        body.insert(rng.randint(1, len(body)), extra)
    for visitor_line, agent_line in body:
        turns.append(("visitor", visitor_line.format(**values)))
        turns.append(("agent", agent_line.format(**values)))
    turns.append(("visitor", rng.choice(("Thanks, that's all.", "Great, thank you!", "OK, bye.", "Thanks for your help."))))
    turns.append(("agent", "You're welcome! Have a lovely day."))
    return turns
