"""Imports every domain's models, so metadata (and Alembic) sees all tables."""
from dashboard.agents.models import Agent, CustomTool, KnowledgeSource, Prompt, PromptTemplate
from dashboard.analytics.models import AnalyticsEntry, DailyRollup, LabelRollup
from dashboard.api.models import IdempotencyKey
from dashboard.auth.models import ApiKey, AuditEvent, Customer, Invitation, LoginSession, Member, PasswordReset
from dashboard.billing.models import Contract, Plan, PlanAccess, StripeEvent
from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.crm.models import (
    AgentAssignment,
    BusinessAnalysis,
    Interaction,
    Lead,
    Service,
    ServiceMatch,
    ServicePrice,
)
from dashboard.emails.models import EmailLog, EmailTemplate
from dashboard.integrations.models import ThirdPartyApp, ThirdPartyOAuth
from dashboard.jobs.models import Job
from dashboard.tenancy import ID_ARGUMENTS
from dashboard.webhooks_out.models import WebhookDelivery, WebhookEndpoint

# How a refused request tells "not yours" (404) from "not allowed" (403): URL id arguments and their models.
ID_ARGUMENTS.update({
    "agent_id": Agent, "tool_id": CustomTool, "source_id": KnowledgeSource, "conversation_id": Conversation,
    "visitor_id": Visitor, "template_id": EmailTemplate, "log_id": EmailLog, "connection_id": ThirdPartyOAuth,
    "lead_id": Lead, "service_id": Service, "match_id": ServiceMatch, "contract_id": Contract, "key_id": ApiKey,
    "endpoint_id": WebhookEndpoint, "delivery_id": WebhookDelivery, "member_id": Member,
    "invitation_id": Invitation, "interaction_id": Interaction, "analysis_id": BusinessAnalysis,
    "assignment_id": AgentAssignment, "login_session_id": LoginSession,
})

__all__ = [
    "Agent", "Analysis", "ApiKey", "Contract", "Conversation", "CustomTool", "Customer",
    "EmailLog", "EmailTemplate", "KnowledgeSource", "Lead", "LoginSession", "Message", "Plan",
    "PlanAccess", "Prompt", "PromptTemplate", "Service", "ServiceMatch", "StripeEvent",
    "ThirdPartyApp", "ThirdPartyOAuth", "Visitor", "Job", "IdempotencyKey",
    "WebhookDelivery", "WebhookEndpoint", "AnalyticsEntry", "DailyRollup", "LabelRollup", "Interaction",
    "BusinessAnalysis", "AgentAssignment", "ServicePrice", "AuditEvent", "Invitation", "Member",
    "PasswordReset",
]
