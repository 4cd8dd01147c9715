"""Every model, imported in one place so that metadata is complete (Alembic, tests, CLI)."""
from outreach.core.audit import AuditEvent
from outreach.core.auth.models import Invitation, LoginAttempt, User
from outreach.calendars.models import CalendarFeed
from outreach.core.db import Base
from outreach.contacts.models import (Contact, ContactEmail, ContactLanguage, ContactList, ContactListMember,
                                      ContactPhone, Organisation, Position, Relationship, Tag)
from outreach.core.notifications import Notification, NotificationPreference, OutboxMessage
from outreach.meetings.models import Attendee, Commitment, CommitmentChange, FollowUp, Meeting, MeetingRevision
from outreach.campaigns.models import Campaign, Objective, ObjectiveValue, StageChange, Target, TargetAssignment
from outreach.monitoring.models import (Assessment, Criterion, Funding, Instrument, InstrumentFollower, InstrumentLink,
                                        InstrumentVersion, KeyPost)
from outreach.introductions.models import (ActivistProfile, Consent, DoorOpener, IntroductionRequest, RequestMessage,
                                          RequestTransition, ServiceLevel)
from outreach.resources.models import (Audience, Collection, CollectionItem, ReachCount, Resource, ResourceFile,
                                       ResourceLanguage, ResourcePlace, Share, Topic)

metadata = Base.metadata

__all__ = [
    "metadata",
    "AuditEvent",
    "Invitation",
    "LoginAttempt",
    "User",
    "Contact",
    "ContactEmail",
    "ContactList",
    "ContactListMember",
    "ContactLanguage",
    "ContactPhone",
    "Organisation",
    "Position",
    "Relationship",
    "Tag",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "Attendee",
    "Commitment",
    "CommitmentChange",
    "FollowUp",
    "Meeting",
    "MeetingRevision",
    "Campaign",
    "Objective",
    "ObjectiveValue",
    "StageChange",
    "Target",
    "TargetAssignment",
    "Assessment",
    "Criterion",
    "Funding",
    "Instrument",
    "InstrumentFollower",
    "InstrumentLink",
    "InstrumentVersion",
    "KeyPost",
    "CalendarFeed",
    "ActivistProfile",
    "Consent",
    "DoorOpener",
    "IntroductionRequest",
    "RequestMessage",
    "RequestTransition",
    "ServiceLevel",
    "Audience",
    "Collection",
    "CollectionItem",
    "ReachCount",
    "Resource",
    "ResourceFile",
    "ResourceLanguage",
    "ResourcePlace",
    "Share",
    "Topic",
]
