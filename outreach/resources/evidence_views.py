"""A commitment's evidence pointing to resources of the hub: cite one from the commitment's page, take it off.

The commitment's page shows them through its "commitment.detail" panel slot (panels.py): meetings never
imports the hub.
"""
from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from outreach.core.db import db
from outreach.core.time import now_utc
from outreach.core.web import acting_user
from outreach.meetings.access import get_commitment_or_404
from outreach.resources import bp, services
from outreach.resources.forms import EvidenceForm
from outreach.resources.models import CommitmentEvidence
from outreach.resources.web import act, chosen_resource


def _back(commitment_id: int) -> str:
    return url_for("commitments.show", commitment_id=commitment_id) + "#evidence-resources"


@bp.post("/evidence/<int(max=2147483647):commitment_id>")
def cite_evidence(commitment_id: int) -> Any:
    """Cite a published resource as evidence of a commitment the user may change."""
    commitment = get_commitment_or_404(commitment_id, acting_user(), need="edit")
    form = EvidenceForm()

    def step() -> str:
        item = chosen_resource(form)
        services.cite_as_evidence(commitment, item, form.note.data, actor=acting_user(), now=now_utc())
        return _("“%(title)s” is cited as evidence.", title=item.title)

    return act(step, _back(commitment.id), None)


@bp.post("/evidence/<int(max=2147483647):commitment_id>/<int(max=2147483647):resource_id>/remove")
def remove_evidence(commitment_id: int, resource_id: int) -> Any:
    """Stop citing a resource as a commitment's evidence (kept in its history)."""
    commitment = get_commitment_or_404(commitment_id, acting_user(), need="edit")
    cited = db.session.scalar(select(CommitmentEvidence).where(CommitmentEvidence.commitment_id == commitment.id,
                                                               CommitmentEvidence.resource_id == resource_id))
    if cited is None:
        abort(404)

    def step() -> None:
        services.take_off_evidence(cited, actor=acting_user(), now=now_utc())

    return act(step, _back(commitment.id), _("The resource is no longer cited as evidence."))
