"""Where a customer who has not finished onboarding resumes: the page of each `customer.onboarding_step`."""

STEP_ENDPOINTS = {"profile": "onboarding.profile", "plan": "onboarding.plan", "agent": "onboarding.agent"}
