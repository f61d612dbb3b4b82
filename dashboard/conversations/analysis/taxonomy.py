"""The documented intents and categories every analyzer chooses from, with the words that signal them.

An intent is what the visitor wanted; a category groups intents for reports. The offline analyzer
scores each intent by how many of its cue words (stems) the visitor's messages contain; the LLM
analyzer is given the same lists and must answer with one of these names.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    name: str
    category: str
    cues: tuple[str, ...]
    action: str


@dataclass(frozen=True)
class Category:
    name: str
    description: str


CATEGORIES = {
    c.name: c for c in (
        Category("scheduling", "Booking, moving or cancelling an appointment."),
        Category("sales", "Questions about prices, plans and what is included."),
        Category("support", "Problems with an existing service or order."),
        Category("complaint", "Visitors unhappy with the service, billing or wait times."),
        Category("information", "General questions about hours, location and services."),
        Category("other", "Conversations that fit none of the other categories."),
    )
}

INTENTS = {
    i.name: i for i in (
        Intent("book_appointment", "scheduling", ("book", "appointment", "schedule", "available", "opening", "slot"),
               "Send a confirmation with the appointment details."),
        Intent("reschedule", "scheduling", ("reschedul", "move my", "change my", "cancel", "instead"),
               "Update the calendar and confirm the new time."),
        Intent("pricing_question", "sales", ("price", "cost", "how much", "quote", "insurance", "fee", "discount"),
               "Follow up with a quote."),
        Intent("new_customer", "sales", ("new patient", "new customer", "first time", "sign up", "register",
                                         "accepting"),
               "Welcome the new customer and send the intake details."),
        Intent("support_issue", "support", ("problem", "issue", "broken", "pain", "not working", "error", "help with"),
               "Call the visitor back within one business day."),
        Intent("complaint", "complaint", ("complain", "unacceptable", "refund", "terrible", "waited", "rude",
                                          "overcharged", "disappointed"),
               "Have a manager call the visitor back today."),
        Intent("opening_hours", "information", ("open", "hours", "close", "where are you", "address", "parking",
                                                "located"),
               "No follow-up needed."),
    )
}

FALLBACK_INTENT = "general_inquiry"
FALLBACK_CATEGORY = "other"
FALLBACK_ACTION = "Review the conversation and decide whether to follow up."
