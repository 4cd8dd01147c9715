"""Signals through which lower features tell higher ones that something happened.

Receivers take keyword arguments only; every signal passes `actor` and `now`.
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: contacts → anyone holding contact ids: kwargs source_id, target_id (the source was merged into the target).
contact_merged = _signals.signal("contact-merged")
#: contacts → anyone holding organisation ids: kwargs source_id, target_id.
organisation_merged = _signals.signal("organisation-merged")
#: meetings → campaigns: kwargs meeting (a meeting was saved with status "held").
meeting_held = _signals.signal("meeting-held")
#: meetings → campaigns: kwargs meeting, created (bool), extras (the values of fields higher features added to the
#: meeting form through core.home.register_form_field, keyed by field name). Sent after every save.
meeting_saved = _signals.signal("meeting-saved")
#: meetings → campaigns: kwargs commitment (a target's promise was recorded).
commitment_recorded = _signals.signal("commitment-recorded")
#: meetings → campaigns: kwargs commitment, from_status, to_status.
commitment_status_changed = _signals.signal("commitment-status-changed")
#: meetings → campaigns: kwargs follow_up (a task was created, on a meeting or on its own).
follow_up_added = _signals.signal("follow-up-added")
#: core → anyone holding per-user grants (calendar feeds): kwargs user (the account was deactivated).
user_deactivated = _signals.signal("user-deactivated")
#: core → the same: kwargs user, old_role (the user's role changed; what it no longer allows must end).
user_role_changed = _signals.signal("user-role-changed")
