"""Imports every domain's models, so metadata (and Alembic) sees all tables."""
from dashboard.agents.models import Agent, CustomTool, KnowledgeSource, Prompt, PromptTemplate
from dashboard.api.models import IdempotencyKey
from dashboard.auth.models import ApiKey, AuditEvent, Customer, Invitation, LoginSession, Member
from dashboard.billing.models import Contract, Plan, PlanAccess, StripeEvent
from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.crm.models import Lead, Service, ServiceMatch
from dashboard.emails.models import EmailLog, EmailTemplate
from dashboard.integrations.models import ThirdPartyApp, ThirdPartyOAuth
from dashboard.jobs.models import Job
from dashboard.webhooks_out.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Agent", "Analysis", "ApiKey", "Contract", "Conversation", "CustomTool", "Customer",
    "EmailLog", "EmailTemplate", "KnowledgeSource", "Lead", "LoginSession", "Message", "Plan",
    "PlanAccess", "Prompt", "PromptTemplate", "Service", "ServiceMatch", "StripeEvent",
    "ThirdPartyApp", "ThirdPartyOAuth", "Visitor", "Job", "IdempotencyKey",
    "WebhookDelivery", "WebhookEndpoint", "AuditEvent", "Invitation", "Member",
]
