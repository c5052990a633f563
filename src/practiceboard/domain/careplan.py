"""A care plan's vocabularies: its statuses, risk buckets and goal outcomes."""

PLAN_STATUSES = ("draft", "active", "on_hold", "closed")
RISKS = ("low", "medium", "high")
GOAL_STATUSES = ("open", "met", "dropped")
