"""The one permission vocabulary: roles, their capabilities, and the access policy.

Views, the API, templates and exports all ask these. The access policy maps every endpoint to
the roles allowed to call it and is enforced for every request before the view runs; a test
walks the whole URL map × roles and fails on an endpoint missing here. The table is the only
role-level rule: views carry no decorator restating it (object-level rules live in each feature's
access.py).
"""
from __future__ import annotations

import enum
from typing import Any


class Role(str, enum.Enum):
    ADMIN = "admin"
    MANAGER = "manager"
    COORDINATOR = "coordinator"
    PARTNER = "partner"
    ACTIVIST = "activist"

    def __str__(self) -> str:  # so templates and audit rows read "manager", not "Role.MANAGER"
        return self.value


ROLES: tuple[Role, ...] = tuple(Role)


class Capability(str, enum.Enum):
    MANAGE_USERS = "manage_users"  #: invite, deactivate, change roles
    VIEW_AUDIT = "view_audit"  #: browse the audit log
    # the directory (contacts feature)
    VIEW_DIRECTORY = "view_directory"  #: full directory: e-mails, phones, stance, notes, who knows whom
    VIEW_PUBLIC_DIRECTORY = "view_public_directory"  #: name, title, organisation, country only
    EDIT_DIRECTORY = "edit_directory"  #: create, edit, archive, restore, merge organisations and contacts
    IMPORT_EXPORT_DIRECTORY = "import_export_directory"  #: CSV import and export (audited)
    MANAGE_OWN_RELATIONSHIPS = "manage_own_relationships"  #: record whom one knows
    #: every partner's relationships and their notes ("whom a partner knows"); others see their own and a count
    VIEW_ALL_RELATIONSHIPS = "view_all_relationships"
    #: find activists in people pickers (everyone else never learns that an activist exists)
    FIND_ACTIVISTS = "find_activists"
    # meetings, commitments, follow-ups
    LOG_MEETINGS = "log_meetings"  #: log meetings and edit the ones you organised
    EDIT_ANY_MEETING = "edit_any_meeting"
    VIEW_ALL_MEETINGS = "view_all_meetings"  #: otherwise: attended, organised, or on your contacts
    VIEW_MEETING_NOTES = "view_meeting_notes"  #: internal notes (never activists)
    MANAGE_COMMITMENTS = "manage_commitments"  #: change any commitment's status (partners: their own)
    VIEW_ALL_FOLLOW_UPS = "view_all_follow_ups"
    # campaigns
    MANAGE_CAMPAIGNS = "manage_campaigns"  #: create, edit, close campaigns; set objectives and their values
    MANAGE_CAMPAIGN_TARGETS = "manage_campaign_targets"  #: add targets, move any stage, assign partners
    VIEW_ALL_CAMPAIGNS = "view_all_campaigns"  #: otherwise: campaigns with a target assigned to you
    WORK_OWN_TARGETS = "work_own_targets"  #: move the stages and next steps of targets assigned to you
    # the practice hub (resources feature)
    SUBMIT_RESOURCES = "submit_resources"  #: add resources, edit one's own drafts, send them for review
    CURATE_RESOURCES = "curate_resources"  #: publish, send back, retire; collections, topics, audiences, reach
    SUGGEST_RESOURCES = "suggest_resources"  #: an activist suggests a resource or a story from the ground


_DIRECTORY_STAFF = frozenset({Capability.VIEW_DIRECTORY, Capability.VIEW_PUBLIC_DIRECTORY, Capability.EDIT_DIRECTORY,
                              Capability.IMPORT_EXPORT_DIRECTORY, Capability.MANAGE_OWN_RELATIONSHIPS,
                              Capability.VIEW_ALL_RELATIONSHIPS})

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.MANAGER: frozenset({Capability.VIEW_AUDIT, Capability.LOG_MEETINGS, Capability.EDIT_ANY_MEETING,
                             Capability.VIEW_ALL_MEETINGS, Capability.VIEW_MEETING_NOTES,
                             Capability.MANAGE_COMMITMENTS, Capability.VIEW_ALL_FOLLOW_UPS,
                             Capability.MANAGE_CAMPAIGNS, Capability.MANAGE_CAMPAIGN_TARGETS,
                             Capability.VIEW_ALL_CAMPAIGNS, Capability.WORK_OWN_TARGETS, Capability.SUBMIT_RESOURCES,
                             Capability.CURATE_RESOURCES}) | _DIRECTORY_STAFF,
    Role.COORDINATOR: frozenset({Capability.LOG_MEETINGS, Capability.EDIT_ANY_MEETING, Capability.VIEW_ALL_MEETINGS,
                                 Capability.VIEW_MEETING_NOTES, Capability.MANAGE_COMMITMENTS,
                                 Capability.VIEW_ALL_FOLLOW_UPS, Capability.MANAGE_CAMPAIGN_TARGETS,
                                 Capability.VIEW_ALL_CAMPAIGNS, Capability.WORK_OWN_TARGETS, Capability.FIND_ACTIVISTS,
                                 Capability.SUBMIT_RESOURCES}) | _DIRECTORY_STAFF,
    Role.PARTNER: frozenset({Capability.VIEW_DIRECTORY, Capability.VIEW_PUBLIC_DIRECTORY,
                             Capability.MANAGE_OWN_RELATIONSHIPS, Capability.LOG_MEETINGS,
                             Capability.VIEW_MEETING_NOTES, Capability.WORK_OWN_TARGETS,
                             Capability.SUBMIT_RESOURCES}),
    Role.ACTIVIST: frozenset({Capability.VIEW_PUBLIC_DIRECTORY, Capability.SUGGEST_RESOURCES}),
}


def has_capability(user: Any, capability: Capability) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return capability in ROLE_CAPABILITIES.get(Role(user.role), frozenset())


#: Marker for endpoints anyone may reach, signed in or not.
PUBLIC = "public"
ALL_ROLES = frozenset(ROLES)
STAFF = frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR})
ADMINS = frozenset({Role.ADMIN})
AUDITORS = frozenset({Role.ADMIN, Role.MANAGER})
#: Everyone who sees the full directory (not activists).
DIRECTORY_READERS = frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.PARTNER})
#: Everyone who logs meetings and follows promises up.
LOGGERS = frozenset({Role.ADMIN, Role.MANAGER, Role.COORDINATOR, Role.PARTNER})
PARTNERS = frozenset({Role.PARTNER})
ACTIVISTS = frozenset({Role.ACTIVIST})

#: Who publishes, sends back and retires resources and keeps the hub's collections and vocabularies.
CURATORS = frozenset({Role.ADMIN, Role.MANAGER})

#: endpoint → roles allowed (or PUBLIC). Anything absent is refused to everyone.
ACCESS_POLICY: dict[str, frozenset[Role] | str] = {
    "static": PUBLIC,
    "favicon": PUBLIC,
    "health.health": PUBLIC,
    # sign-in and invitations
    "auth.login": PUBLIC,
    "auth.accept_invite": PUBLIC,
    "auth.forgot_password": PUBLIC,  # the same answer whether or not the address has an account; throttled
    "auth.reset_password": PUBLIC,  # opened by its secret one-time token alone; unknown or spent -> 404
    "auth.logout": ALL_ROLES,
    # every role's own pages
    "home.today": ALL_ROLES,
    "account.settings": ALL_ROLES,
    "account.password": ALL_ROLES,
    # running the instance
    "admin.users": ADMINS,
    "admin.invite": ADMINS,
    "admin.user": ADMINS,
    "admin.change_role": ADMINS,
    "admin.deactivate": ADMINS,
    "admin.reactivate": ADMINS,
    "admin.send_password_reset": ADMINS,
    "admin.revoke_invitation": ADMINS,
    "admin.resend_invitation": ADMINS,
    "audit.index": AUDITORS,
    # the directory (outreach/contacts): organisations, contacts, positions, relationships
    "contacts.public_directory": ALL_ROLES,  # name, title, organisation, country; the activists' view
    "contacts.index": DIRECTORY_READERS,
    "contacts.search": DIRECTORY_READERS,
    "contacts.contact": DIRECTORY_READERS,
    "contacts.people_i_know": DIRECTORY_READERS,
    "contacts.partner_network": STAFF,  # whom a given partner knows
    "contacts.relationship": DIRECTORY_READERS,  # one's own relationship to a contact
    "contacts.remove_relationship": DIRECTORY_READERS,
    "contacts.new_contact": STAFF,
    "contacts.edit_contact": STAFF,
    "contacts.archive_contact": STAFF,
    "contacts.restore_contact": STAFF,
    "contacts.new_position": STAFF,
    "contacts.end_position": STAFF,
    "contacts.organisations": DIRECTORY_READERS,
    "contacts.organisation": DIRECTORY_READERS,
    "contacts.organisation_children": DIRECTORY_READERS,
    "contacts.new_organisation": STAFF,
    "contacts.edit_organisation": STAFF,
    "contacts.archive_organisation": STAFF,
    "contacts.restore_organisation": STAFF,
    "contacts.duplicates": STAFF,
    "contacts.merge_contacts": STAFF,
    "contacts.merge_organisations": STAFF,
    "contacts.export_contacts": STAFF,
    "contacts.export_organisations": STAFF,
    "contacts.vcard": STAFF,
    "contacts.import_upload": STAFF,
    "contacts.import_confirm": STAFF,
    "contacts.bulk_contacts": STAFF,  # tag, list, export and contributed actions on a selection (export: IMPORT_EXPORT)
    # contact lists (static lists of contacts; object rules in contacts/access.py)
    "contacts.lists_index": DIRECTORY_READERS,
    "contacts.contact_list": DIRECTORY_READERS,
    "contacts.new_list": STAFF,
    "contacts.edit_list": STAFF,
    "contacts.archive_list": STAFF,
    "contacts.restore_list": STAFF,
    "contacts.remove_list_member": STAFF,
    "contacts.add_to_list": STAFF,
    "contacts.export_list": STAFF,
    # notifications: every role has an inbox
    "inbox.index": ALL_ROLES,
    "inbox.read": ALL_ROLES,
    "inbox.read_all": ALL_ROLES,
    "inbox.preferences": ALL_ROLES,
    # meetings (object-level checks in outreach/meetings/access.py: another user's meeting -> 404)
    "meetings.index": ALL_ROLES,  # activists: only meetings they attended
    "meetings.show": ALL_ROLES,
    "meetings.new": LOGGERS,
    "meetings.edit": LOGGERS,  # partners: meetings they organised
    "meetings.attendee_search": LOGGERS,
    "meetings.people_search": LOGGERS,  # the people pickers: who follows up, the accountable partner
    "commitments.index": LOGGERS,
    "commitments.show": LOGGERS,
    "commitments.status": LOGGERS,  # partners: commitments they are accountable for
    "commitments.scorecards": LOGGERS,
    "commitments.add_follow_up": LOGGERS,  # as for commitments.status
    "follow_ups.index": LOGGERS,
    "follow_ups.done": LOGGERS,  # the assignee, or staff
    "follow_ups.snooze": LOGGERS,
    "follow_ups.cancel": LOGGERS,  # the assignee, or staff
    # campaigns (object-level checks in outreach/campaigns/access.py: partners see only campaigns with a target
    # assigned to them, and only their own targets' pages; anything else -> 404). Activists see nothing of campaigns.
    "campaigns.index": LOGGERS,
    "campaigns.show": LOGGERS,
    "campaigns.new": AUDITORS,  # managers and admins create, edit, close and set objectives
    "campaigns.edit": AUDITORS,
    "campaigns.set_status": AUDITORS,
    "campaigns.new_objective": AUDITORS,
    "campaigns.edit_objective": AUDITORS,
    "campaigns.record_value": AUDITORS,
    "campaigns.objective": LOGGERS,
    "campaigns.targets": LOGGERS,  # partners: their own targets
    "campaigns.board": LOGGERS,  # partners: their own targets
    "campaigns.export_targets": STAFF,
    "campaigns.export_objectives": STAFF,
    "campaigns.add_targets": STAFF,  # coordinators manage targets, stages and assignments
    "campaigns.target": LOGGERS,  # partners: targets assigned to them
    "campaigns.move_target": LOGGERS,  # partners: targets assigned to them
    "campaigns.update_target": LOGGERS,  # partners: the next step of targets assigned to them
    "campaigns.step_done": LOGGERS,
    "campaigns.my_targets": LOGGERS,
    "campaigns.dashboard": AUDITORS,
    "campaigns.report": AUDITORS,
    # monitoring: instruments, versions, assessments (object-level checks in outreach/monitoring/access.py)
    "monitoring.watchlist": LOGGERS,  # partners read instruments and assessments
    "monitoring.instrument": LOGGERS,
    "monitoring.export": STAFF,
    "monitoring.new_instrument": STAFF,
    "monitoring.edit_instrument": STAFF,
    "monitoring.archive_instrument": STAFF,
    "monitoring.restore_instrument": STAFF,
    "monitoring.new_version": STAFF,
    "monitoring.rate": STAFF,
    "monitoring.add_funding": STAFF,
    "monitoring.withdraw_funding": STAFF,
    "monitoring.add_key_post": STAFF,
    "monitoring.remove_key_post": STAFF,
    "monitoring.follow": STAFF,
    "monitoring.publish": ADMINS,
    "monitoring.criteria": ADMINS,
    "monitoring.archive_criterion": ADMINS,
    "monitoring.link_meeting": LOGGERS,  # who may edit the meeting
    "monitoring.link_commitment": LOGGERS,  # who may change the commitment
    "monitoring.unlink": LOGGERS,
    "monitoring.published": ALL_ROLES,  # summaries an admin published; what activists may read of monitoring
    # calendars (outreach/calendars): downloads read through the meetings' own predicates
    "calendars.index": ALL_ROLES,  # my subscriptions; every role has a personal feed
    "calendars.create_feed": ALL_ROLES,  # scopes per role in calendars/services.py SCOPE_ROLES
    "calendars.rename_feed": ALL_ROLES,  # one's own feeds only (another's -> 404)
    "calendars.regenerate_feed": ALL_ROLES,
    "calendars.revoke_feed": ALL_ROLES,
    "calendars.feed": PUBLIC,  # opened by its secret token alone, for calendar clients; unknown token -> 404
    "calendars.meeting": ALL_ROLES,  # "Add to calendar": a meeting the user may open
    "calendars.meetings": ALL_ROLES,  # the meetings list's filters, as .ics
    "calendars.contact": DIRECTORY_READERS,
    "calendars.organisation": DIRECTORY_READERS,
    "calendars.organisation_wide": AUDITORS,  # org-wide export for a date range (audited)
    "calendars.import_upload": LOGGERS,  # an .ics invitation pre-fills a new meeting
    "calendars.import_series": LOGGERS,
    # introductions (object-level checks in outreach/introductions/access.py: another's request -> 404)
    "introductions.index": ALL_ROLES,  # her requests / offered to her / the triage queue
    "introductions.show": ALL_ROLES,
    "introductions.my_profile": ACTIVISTS,
    "introductions.choose_target": ACTIVISTS,
    "introductions.new_request": ACTIVISTS,
    "introductions.withdraw": ACTIVISTS,
    "introductions.consent": ACTIVISTS,
    "introductions.add_message": STAFF | ACTIVISTS,  # the clarification thread; partners never read it
    "introductions.reveal": STAFF | PARTNERS,  # partners: with her consent; staff: after confirming the password
    "introductions.answer": PARTNERS,
    "introductions.introduced": STAFF | PARTNERS,
    "introductions.schedule": STAFF | PARTNERS,
    "introductions.door_opener": PARTNERS,
    "introductions.triage": STAFF,
    "introductions.decline": STAFF,
    "introductions.resolve": STAFF,
    "introductions.offer": STAFF,
    "introductions.close": STAFF,
    "introductions.confirm_password": STAFF,
    "introductions.activists": STAFF,
    "introductions.new_activist": STAFF,
    "introductions.activist": STAFF,
    "introductions.reveal_activist": STAFF,
    "introductions.purge": ADMINS,
    "introductions.dashboard": STAFF,
    "introductions.service_level_settings": ADMINS,
    # the practice hub (outreach/resources): public pages, curation, sharing in meetings, reach
    "hub.index": PUBLIC,  # published resources only; cached, rate-limited
    "hub.resource": PUBLIC,
    "hub.download": PUBLIC,
    "hub.collection": PUBLIC,  # the short link /c/<slug>
    "hub.opened": PUBLIC,  # the reach beacon: a count per day, nothing about the reader
    "resources.index": LOGGERS,  # partners: published ones and their own (object rules in resources/access.py)
    "resources.show": LOGGERS,
    "resources.new": LOGGERS,
    "resources.edit": LOGGERS,  # partners: their own drafts
    "resources.submit": LOGGERS,
    "resources.file": LOGGERS,
    "resources.review": CURATORS,  # publish, send back
    "resources.retire": CURATORS,
    "resources.collections": CURATORS,
    "resources.collection": CURATORS,
    "resources.new_collection": CURATORS,
    "resources.collection_items": CURATORS,
    "resources.vocabulary": CURATORS,  # topics and audiences
    "resources.reach": CURATORS,
    "resources.share": LOGGERS,  # from a meeting the user may edit
    "resources.picker": LOGGERS,
    "resources.suggest": frozenset({Role.ACTIVIST}),
    "resources.my_suggestions": frozenset({Role.ACTIVIST}),
}


def allowed_roles(endpoint: str | None) -> frozenset[Role] | str | None:
    """The policy row for *endpoint*, or None when it has none (and is therefore refused)."""
    if endpoint is None:
        return None
    return ACCESS_POLICY.get(endpoint)


def may_access(user: Any, endpoint: str | None) -> bool:
    """Whether *user* (possibly anonymous) may call *endpoint* at all."""
    rule = allowed_roles(endpoint)
    if rule is None:
        return False
    if rule == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return Role(user.role) in rule

