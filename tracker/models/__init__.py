"""Everything about a child, split by area; import models from here."""

from .audit import AuditAction, AuditEvent
from .cache import CacheGeneration
from .children import CareTeamMembership, Child, Discipline, Invitation, Role, Voice
from .goals import REVIEW_NOTICE_DAYS, GasLevel, Goal, GoalReview, GoalStatus
from .notes import NOTE_TEXT_LIMIT, Note, NoteKind, NoteRevision, Visibility
from .programme import Activity, ActivityTemplate, HowItWent, PracticeLog
from .reminders import Channel, ReminderKind, ReminderSettings, ScheduledRun, SentReminder
from .reports import Paper, Report, ReportKind, ReportScope, ReportShare, ShareConsent
from .skills import Assistance, Domain, LossReview, Observation, Skill, Source, Status, WindowKind

__all__ = [
    "REVIEW_NOTICE_DAYS",
    "Activity",
    "ActivityTemplate",
    "Channel",
    "HowItWent",
    "PracticeLog",
    "Paper",
    "Report",
    "ReportKind",
    "ReportScope",
    "ReportShare",
    "ShareConsent",
    "ReminderKind",
    "ReminderSettings",
    "ScheduledRun",
    "SentReminder",
    "NOTE_TEXT_LIMIT",
    "Assistance",
    "AuditAction",
    "AuditEvent",
    "CacheGeneration",
    "CareTeamMembership",
    "Child",
    "Discipline",
    "Domain",
    "GasLevel",
    "Goal",
    "GoalReview",
    "GoalStatus",
    "Invitation",
    "LossReview",
    "Note",
    "NoteKind",
    "NoteRevision",
    "Observation",
    "Role",
    "Skill",
    "Source",
    "Status",
    "Visibility",
    "Voice",
    "WindowKind",
]
