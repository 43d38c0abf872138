"""All models, importable from one place."""

from kinerja.models.accounts import Role, User, UserRole
from kinerja.models.activities import (
    Activity,
    ActivityCategory,
    ActivityStatus,
    ActivityTemplate,
    Evidence,
    EvidenceKind,
    MonthlyActivity,
    OutputUnit,
    WorkMode,
)
from kinerja.models.base import Base, utcnow
from kinerja.models.calendar import BackdateGrant, HolidayEntry, HolidayKind, Leave, LeaveKind, MonthLock
from kinerja.models.org import Agency, Office, Position, PositionKind, Regency, Unit
from kinerja.models.people import ActingAssignment, ActingKind, Assignment, Employee
from kinerja.models.review import ActivityComment, AuditEntry, Notification

__all__ = [
    "ActingAssignment",
    "ActingKind",
    "Activity",
    "ActivityCategory",
    "ActivityComment",
    "ActivityStatus",
    "ActivityTemplate",
    "Agency",
    "Assignment",
    "AuditEntry",
    "BackdateGrant",
    "Base",
    "Employee",
    "Evidence",
    "EvidenceKind",
    "HolidayEntry",
    "HolidayKind",
    "Leave",
    "LeaveKind",
    "MonthLock",
    "MonthlyActivity",
    "Notification",
    "Office",
    "OutputUnit",
    "Position",
    "PositionKind",
    "Regency",
    "Role",
    "Unit",
    "User",
    "UserRole",
    "WorkMode",
    "utcnow",
]
