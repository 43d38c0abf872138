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
from kinerja.models.api import ApiToken
from kinerja.models.attendance import AttendanceFlag, AttendanceKind, AttendanceRecord, FlagKind, FlagStatus
from kinerja.models.base import Base
from kinerja.models.calendar import BackdateGrant, HolidayEntry, HolidayKind, Leave, LeaveKind, MonthLock
from kinerja.models.org import Agency, Office, Position, PositionKind, Regency, Unit
from kinerja.models.people import ActingAssignment, ActingKind, Assignment, Employee
from kinerja.models.reports import Job, JobStatus, ReportDocument
from kinerja.models.review import ActivityComment, AuditEntry, Notification
from kinerja.models.roster import CapReason, Roster, RosterEntry, RosterStatus, WfoCap
from kinerja.models.settings import RegencySetting
from kinerja.models.skp import (
    BehaviourExpectation,
    BehaviourValue,
    Evaluation,
    EvaluationIndicator,
    Iki,
    IkiAspect,
    OrganisationPredikat,
    OrgPredikat,
    Predikat,
    Rating,
    Rhk,
    RhkKind,
    Skp,
    SkpStatus,
)

__all__ = [
    "ActingAssignment",
    "ActingKind",
    "Activity",
    "ActivityCategory",
    "ActivityComment",
    "ActivityStatus",
    "ActivityTemplate",
    "Agency",
    "ApiToken",
    "Assignment",
    "AttendanceFlag",
    "AttendanceKind",
    "AttendanceRecord",
    "AuditEntry",
    "BackdateGrant",
    "Base",
    "BehaviourExpectation",
    "BehaviourValue",
    "CapReason",
    "Employee",
    "Evaluation",
    "EvaluationIndicator",
    "Evidence",
    "EvidenceKind",
    "FlagKind",
    "FlagStatus",
    "HolidayEntry",
    "HolidayKind",
    "Iki",
    "IkiAspect",
    "Job",
    "JobStatus",
    "Leave",
    "LeaveKind",
    "MonthLock",
    "MonthlyActivity",
    "Notification",
    "Office",
    "OrgPredikat",
    "OrganisationPredikat",
    "OutputUnit",
    "Position",
    "PositionKind",
    "Predikat",
    "Rating",
    "Regency",
    "RegencySetting",
    "ReportDocument",
    "Rhk",
    "RhkKind",
    "Role",
    "Roster",
    "RosterEntry",
    "RosterStatus",
    "Skp",
    "SkpStatus",
    "Unit",
    "User",
    "UserRole",
    "WfoCap",
    "WorkMode",
]
