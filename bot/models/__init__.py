"""All models, imported here so Alembic and the app see one metadata."""

from bot.models.activity import Meeting, MeetingKind
from bot.models.base import Base, utcnow
from bot.models.issue import (
    CLOSED_STATUSES,
    FsmRecord,
    Issue,
    IssueCard,
    IssueEvent,
    IssueLevel,
    IssuePhoto,
    IssueStatus,
    NumberCounter,
    PhotoStage,
    Urgency,
)
from bot.models.job_run import JobRun
from bot.models.org import (
    ChatBinding,
    ChatPurpose,
    Department,
    DepartmentLiaison,
    JoinRequest,
    JoinStatus,
    Member,
    Role,
    RoleName,
    Team,
    Unit,
    UnitLevel,
)
from bot.models.outbox import ChatProblem, OutboxKind, OutboxMessage, OutboxStatus

__all__ = [
    "CLOSED_STATUSES",
    "Base",
    "ChatBinding",
    "ChatProblem",
    "ChatPurpose",
    "Department",
    "DepartmentLiaison",
    "FsmRecord",
    "Issue",
    "IssueCard",
    "IssueEvent",
    "IssueLevel",
    "IssuePhoto",
    "IssueStatus",
    "JobRun",
    "JoinRequest",
    "JoinStatus",
    "Meeting",
    "MeetingKind",
    "Member",
    "NumberCounter",
    "OutboxKind",
    "OutboxMessage",
    "OutboxStatus",
    "PhotoStage",
    "Role",
    "RoleName",
    "Team",
    "Unit",
    "UnitLevel",
    "Urgency",
    "utcnow",
]
