"""All models, importable from one place."""

from kinerja.models.accounts import Role, User, UserRole
from kinerja.models.base import Base, utcnow
from kinerja.models.org import Agency, Office, Position, PositionKind, Regency, Unit
from kinerja.models.people import ActingAssignment, ActingKind, Assignment, Employee

__all__ = [
    "ActingAssignment",
    "ActingKind",
    "Agency",
    "Assignment",
    "Base",
    "Employee",
    "Office",
    "Position",
    "PositionKind",
    "Regency",
    "Role",
    "Unit",
    "User",
    "UserRole",
    "utcnow",
]
