"""Importing the directory from CSV: a dry run that plans every row's fate without writing (`plan_import`), the
plan applied in the caller's transaction (`apply_import`), and the uploaded file kept until it is confirmed.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pycountry
from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from outreach.contacts import fields, reference
from outreach.contacts.forms import REGIONS
from outreach.contacts.models import (Contact, ContactEmail, ContactLanguage, ContactPhone, Organisation,
                                      OrganisationKind, Position, Stance, contact_tags)
from outreach.contacts.search import join_text, normalise
from outreach.core.audit import record_event
from outreach.core.auth.services import normalise_email
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.contacts.csv_io import unformula


# -- import: plan (dry run) and apply ----------------------------------------------------------

@dataclass
class RowPlan:
    line: int  #: line number in the file (the header is line 1)
    action: str  #: "create", "update" or "reject"
    label: str
    data: dict[str, Any] = field(default_factory=dict)
    record_id: int | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  #: (column, reason)


@dataclass
class ImportPlan:
    kind: str
    rows: list[RowPlan]

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def _org_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for oid, name, acronym in db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.acronym).where(Organisation.is_archived.is_(False))
    ):
        lookup.setdefault(normalise(name), oid)
        if acronym:
            lookup.setdefault(normalise(acronym), oid)
    return lookup


def _country(value: str) -> str:
    code = value.strip().upper()
    if code in reference.countries():
        return code
    for c, name in reference.countries().items():
        if normalise(name) == normalise(value):
            return c
    try:  # official names, three-letter codes
        return str(pycountry.countries.lookup(value.strip()).alpha_2)
    except LookupError:
        raise ServiceError(_l("unknown country (use a two-letter code such as CF)")) from None


def plan_import(kind: str, header: list[str], rows: list[list[str]], mapping: list[str]) -> ImportPlan:
    """Decide, row by row, what an import would do. Reads the database; writes nothing."""
    columns = {name: i for i, name in enumerate(mapping) if name}
    plans = []
    orgs = _org_lookup()
    if kind == "contacts":
        by_email = dict(db.session.execute(select(ContactEmail.email, ContactEmail.contact_id)).all())
        ids = set(db.session.scalars(select(Contact.id).where(Contact.merged_into_id.is_(None))))
    else:
        ids = set(db.session.scalars(select(Organisation.id).where(Organisation.merged_into_id.is_(None))))
    seen_keys: set[str] = set()
    for n, raw in enumerate(rows, start=2):
        cells = {name: unformula(raw[i].strip()) if i < len(raw) else "" for name, i in columns.items()}
        plan = RowPlan(line=n, action="create", label="")
        (_plan_contact if kind == "contacts" else _plan_organisation)(plan, cells, orgs,
                                                                      by_email if kind == "contacts" else {}, ids)
        keys = {f"id:{plan.record_id}"} if plan.record_id else set(plan.data.get("emails") or [])
        if keys & seen_keys and not plan.problems:
            plan.problems.append(("id" if plan.record_id else "emails", str(_l("appears twice in the file"))))
        seen_keys |= keys
        if plan.problems:
            plan.action = "reject"
        plans.append(plan)
    if kind == "organisations":
        _refuse_loops(plans, orgs)
    return ImportPlan(kind, plans)


def _refuse_loops(plans: list[RowPlan], orgs: dict[str, int]) -> None:
    """Reject rows whose parent would lead back to themselves (two organisations each other's parent…),
    resolving parents the way apply_import does: rows of the file first, then the directory."""
    live = [p for p in plans if p.action != "reject"]
    node_of = {id(p): ("id", p.record_id) if p.record_id else ("new", p.line) for p in live}
    in_file: dict[str, tuple[str, Any]] = {}
    for p in live:
        for key in (p.data.get("name"), p.data.get("acronym")):
            if key:
                in_file.setdefault(normalise(key), node_of[id(p)])
    planned = {node_of[id(p)]: p for p in live}
    stored = dict(db.session.execute(select(Organisation.id, Organisation.parent_id)).all())

    def parent(node: tuple[str, Any]) -> tuple[str, Any] | None:
        row = planned.get(node)
        if row is not None and row.data.get("parent_key"):
            key = row.data["parent_key"]
            found = in_file.get(key) or (("id", orgs[key]) if key in orgs else None)
            return None if found == node else found
        if node[0] == "id":
            up = stored.get(node[1])
            return ("id", up) if up is not None else None
        return None

    for p in live:
        start, node, steps = node_of[id(p)], parent(node_of[id(p)]), 0
        while node is not None and steps < 100:
            if node == start:
                p.problems.append(("parent", str(_l("this parent would put the organisation under itself"))))
                p.action = "reject"
                break
            node, steps = parent(node), steps + 1


#: Columns without a form field of their own (looked up or parsed): still one line, no control characters.
_OTHER_CELL = fields.Rule(300)


def _checked(cells: dict[str, str], rules: dict[str, fields.Rule], problems: list[tuple[str, str]]) -> dict[str, str]:
    """The cells that pass their field's rule (the form's own), trimmed; a problem for each that does not."""
    good = {}
    for name, value in cells.items():
        try:
            good[name] = rules.get(name, _OTHER_CELL).check(value)
        except ServiceError as exc:
            problems.append((name, str(exc.message)))
    return good


def _plan_contact(plan: RowPlan, cells: dict[str, str], orgs: dict[str, int], by_email: dict[str, int],
                  ids: set[int]) -> None:
    data: dict[str, Any] = {}
    problems = plan.problems
    cells = _checked(cells, fields.CONTACT_COLUMNS, problems)
    for name in ("honorific", "first_name", "last_name", "title"):
        if cells.get(name):
            data[name] = cells[name]
    emails = []
    for raw in reference.split_list(cells.get("emails", "").replace(" ", ",")):
        try:
            emails.append(normalise_email(raw))
        except ServiceError:
            problems.append(("emails", str(_l("“%(v)s” is not an e-mail address", v=raw))))
    if emails:
        data["emails"] = emails
    if cells.get("country"):
        try:
            data["country"] = _country(cells["country"])
        except ServiceError as exc:
            problems.append(("country", str(exc.message)))
    if cells.get("phones"):
        try:
            data["phones"] = [reference.normalise_phone(p, country=data.get("country"))
                              for p in reference.split_list(cells["phones"])]
        except ServiceError as exc:
            problems.append(("phones", str(exc.message)))
    if cells.get("stance"):
        if normalise(cells["stance"]) in {s.value for s in Stance}:
            data["stance"] = normalise(cells["stance"])
        else:
            problems.append(("stance", str(_l("use champion, supportive, neutral, sceptical or opposed"))))
    for name, low, high in (("influence", 1, 5), ("cadence_days", 1, 3650)):
        if cells.get(name):
            try:
                value = int(cells[name])
                if not low <= value <= high:
                    raise ValueError
                data[name] = value
            except ValueError:
                problems.append((name, str(_l("a whole number from %(a)d to %(b)d", a=low, b=high))))
    if cells.get("languages"):
        codes, bad = reference.resolve_languages(cells["languages"])
        if bad:
            problems.append(("languages", str(_l("unknown languages: %(c)s (write English names such as Swahili, or "
                                                 "ISO codes such as sw or swa)", c=", ".join(bad)))))
        data["languages"] = codes
    if cells.get("tags"):
        data["tags"] = reference.split_list(cells["tags"])
    if cells.get("organisation"):
        oid = orgs.get(normalise(cells["organisation"]))
        if oid is None:
            problems.append(("organisation", str(_l("no organisation called “%(v)s”; import organisations first",
                                                   v=cells["organisation"]))))
        data["organisation_id"] = oid
        if not data.get("title"):
            problems.append(("title", str(_l("a title is needed with an organisation"))))
    match = _match_id(plan, cells, ids)
    # Every address of the row, not only the first, may already be someone's.
    owners = sorted({by_email[e] for e in emails if e in by_email})
    if len(owners) > 1 or (match is not None and owners and owners != [match]):
        problems.append(("emails", str(_l("these addresses already belong to other contacts (%(ids)s)",
                                          ids=", ".join(f"#{i}" for i in owners if i != match)))))
    elif match is None and owners:
        match = owners[0]
    if match is not None:
        plan.action, plan.record_id = "update", match
    else:
        for name, label in (("first_name", _l("first name")), ("last_name", _l("last name"))):
            if not data.get(name):
                problems.append((name, str(_l("the %(f)s is missing", f=label))))
    plan.data = data
    plan.label = " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p) or \
        (emails[0] if emails else f"#{plan.record_id or ''}")


def _match_id(plan: RowPlan, cells: dict[str, str], ids: set[int]) -> int | None:
    if not cells.get("id"):
        return None
    try:
        value = int(cells["id"])
    except ValueError:
        plan.problems.append(("id", str(_l("not a number"))))
        return None
    if value not in ids:
        plan.problems.append(("id", str(_l("no record with id %(id)d", id=value))))
        return None
    return value


def _plan_organisation(plan: RowPlan, cells: dict[str, str], orgs: dict[str, int], _by_email: dict[str, int],
                       ids: set[int]) -> None:
    data: dict[str, Any] = {}
    problems = plan.problems
    cells = _checked(cells, fields.ORGANISATION_COLUMNS, problems)
    for name in ("name", "acronym", "website"):
        if cells.get(name):
            data[name] = cells[name]
    if cells.get("region"):
        region = next((r for r in REGIONS if normalise(r) == normalise(cells["region"])), None)
        if region is None:
            problems.append(("region", str(_l("use one of: %(r)s", r=", ".join(REGIONS)))))
        data["region"] = region
    if cells.get("kind"):
        kind = normalise(cells["kind"]).replace(" ", "_").replace("/", "_")
        if kind in {k.value for k in OrganisationKind}:
            data["kind"] = kind
        else:
            problems.append(("kind", str(_l("unknown kind"))))
    if cells.get("country"):
        try:
            data["country"] = _country(cells["country"])
        except ServiceError as exc:
            problems.append(("country", str(exc.message)))
    if cells.get("parent"):
        data["parent_key"] = normalise(cells["parent"])
    if cells.get("tags"):
        data["tags"] = reference.split_list(cells["tags"])
    match = _match_id(plan, cells, ids)
    if match is None and data.get("name"):
        match = orgs.get(normalise(data["name"]))
    if match is not None:
        plan.action, plan.record_id = "update", match
    elif not data.get("name"):
        problems.append(("name", str(_l("the name is missing"))))
    plan.data = data
    plan.label = data.get("name") or f"#{plan.record_id or ''}"


def apply_import(
    plan: ImportPlan, *, actor: Any, now: datetime, filename: str, ip: str | None = None
) -> dict[str, int]:
    """Write the accepted rows of *plan* in the caller's transaction; one flush, one audit event."""
    rows = [r for r in plan.rows if r.action != "reject"]
    if plan.kind == "contacts":
        created, updated = _apply_contacts(rows, actor=actor, now=now)
    else:
        created, updated = _apply_organisations(rows, actor=actor, now=now)
    record_event(f"{plan.kind[:-1]}.import", actor=actor, now=now, record_type=plan.kind, ip=ip, filename=filename,
                 created=created, updated=updated, rejected=plan.count("reject"))
    return {"created": len(created), "updated": len(updated)}


def _apply_contacts(rows: list[RowPlan], *, actor: Any, now: datetime) -> tuple[list[int], list[int]]:
    tag_cache = {t.slug: t for t in reference.tags_for([t for r in rows for t in r.data.get("tags", [])])}
    db.session.flush()
    updated = _update_contacts([r for r in rows if r.record_id], tag_cache, now=now)
    created = _insert_contacts([r for r in rows if not r.record_id], tag_cache, actor=actor, now=now)
    return created, updated


def _insert_contacts(rows: list[RowPlan], tag_cache: dict[str, Any], *, actor: Any, now: datetime) -> list[int]:
    """New contacts with bulk inserts (many rows per statement): 10,000 rows in a few seconds."""
    if not rows:
        return []
    contact_rows = []
    for row in rows:
        d = row.data
        contact_rows.append({
            "honorific": d.get("honorific"), "first_name": d["first_name"], "last_name": d["last_name"],
            "country": d.get("country"), "stance": d.get("stance", "neutral"), "influence": d.get("influence", 3),
            "cadence_days": d.get("cadence_days"), "is_archived": False, "created_at": now, "updated_at": now,
            "created_by_id": getattr(actor, "id", None),
            "search_text": join_text([d.get("honorific"), d["first_name"], d["last_name"], *d.get("emails", []),
                                      d.get("title") if d.get("organisation_id") else None, *d.get("tags", [])]),
        })
    ids = list(db.session.scalars(insert(Contact).returning(Contact.id, sort_by_parameter_order=True), contact_rows))
    emails, phones, languages, tags, positions = [], [], [], [], []
    for cid, row in zip(ids, rows, strict=False):
        d = row.data
        emails += [{"contact_id": cid, "email": e, "is_primary": i == 0} for i, e in enumerate(dict.fromkeys(
            d.get("emails", [])))]
        phones += [{"contact_id": cid, "number": n, "is_primary": i == 0} for i, n in enumerate(dict.fromkeys(
            d.get("phones", [])))]
        languages += [{"contact_id": cid, "code": c} for c in dict.fromkeys(d.get("languages", []))]
        tag_ids = {tag_cache[normalise(t)[:60]].id for t in d.get("tags", []) if normalise(t)[:60] in tag_cache}
        tags += [{"contact_id": cid, "tag_id": t} for t in tag_ids]
        if d.get("organisation_id"):
            positions.append({"contact_id": cid, "organisation_id": d["organisation_id"], "title": d["title"],
                              "created_at": now})
    for table, values in (
        (ContactEmail.__table__, emails),
        (ContactPhone.__table__, phones),
        (ContactLanguage.__table__, languages),
        (contact_tags, tags),
        (Position.__table__, positions),
    ):
        if values:
            db.session.execute(insert(table), values)
    return ids


def _update_contacts(rows: list[RowPlan], tag_cache: dict[str, Any], *, now: datetime) -> list[int]:
    existing = {c.id: c for c in db.session.scalars(
        select(Contact).options(selectinload(Contact.emails), selectinload(Contact.phones),
                                selectinload(Contact.languages), selectinload(Contact.tags),
                                selectinload(Contact.positions))
        .where(Contact.id.in_([r.record_id for r in rows])))}
    for row in rows:
        d = row.data
        contact = existing[row.record_id]
        for name in ("honorific", "first_name", "last_name", "country", "stance", "influence", "cadence_days"):
            if name in d:
                setattr(contact, name, d[name])
        have = {e.email for e in contact.emails}
        for email in d.get("emails", []):
            if email not in have:
                contact.emails.append(ContactEmail(email=email, is_primary=not contact.emails))
        have = {p.number for p in contact.phones}
        for number in dict.fromkeys(d.get("phones", [])):
            if number not in have:
                contact.phones.append(ContactPhone(number=number, is_primary=not contact.phones))
        have = {lang.code for lang in contact.languages}
        for code in dict.fromkeys(d.get("languages", [])):
            if code not in have:
                contact.languages.append(ContactLanguage(code=code))
        for name in d.get("tags", []):
            tag = tag_cache.get(normalise(name)[:60])
            if tag is not None and tag not in contact.tags:
                contact.tags.append(tag)
        if d.get("organisation_id") and not any(p.end_date is None and p.organisation_id == d["organisation_id"]
                                                and p.title == d["title"] for p in contact.positions):
            contact.positions.append(Position(organisation_id=d["organisation_id"], title=d["title"], created_at=now))
        contact.updated_at = now
        contact.search_text = join_text([contact.honorific, contact.first_name, contact.last_name,
                                         *(e.email for e in contact.emails), *(p.title for p in contact.positions),
                                         *(t.name for t in contact.tags)])
    db.session.flush()
    return [r.record_id for r in rows if r.record_id]


def _apply_organisations(rows: list[RowPlan], *, actor: Any, now: datetime) -> tuple[list[int], list[int]]:
    tag_cache = {t.slug: t for t in reference.tags_for([t for r in rows for t in r.data.get("tags", [])])}
    existing = {o.id: o for o in db.session.scalars(
        select(Organisation).options(selectinload(Organisation.tags))
        .where(Organisation.id.in_([r.record_id for r in rows if r.record_id])))}
    lookup = _org_lookup()
    created: list[Organisation] = []
    updated: list[int] = []
    by_key: dict[str, Organisation] = {}
    for row in rows:
        d = row.data
        if row.record_id:
            org = existing[row.record_id]
            updated.append(org.id)
        else:
            org = Organisation(created_at=now, created_by_id=getattr(actor, "id", None), kind="other",
                               is_archived=False, tags=[])
            db.session.add(org)
            created.append(org)
        for name in ("name", "acronym", "kind", "country", "region", "website"):
            if name in d:
                setattr(org, name, d[name])
        for name in d.get("tags", []):
            tag = tag_cache.get(normalise(name)[:60])
            if tag is not None and tag not in org.tags:
                org.tags.append(tag)
        org.updated_at = now
        org.search_text = join_text([org.acronym, org.name, *(t.name for t in org.tags)])
        by_key.setdefault(normalise(org.name), org)
        if org.acronym:
            by_key.setdefault(normalise(org.acronym), org)
    db.session.flush()
    # Parents may be other rows of the same file: resolve them after every row has an id.
    index = 0
    for row in rows:
        org = existing[row.record_id] if row.record_id else created[index]
        if not row.record_id:
            index += 1
        key = row.data.get("parent_key")
        if key:
            parent = by_key.get(key)
            parent_id = parent.id if parent is not None else lookup.get(key)
            if parent_id is not None and parent_id != org.id:
                org.parent_id = parent_id
    db.session.flush()
    return [o.id for o in created], updated


# -- stored previews ---------------------------------------------------------------------------

#: How long an uploaded file waits for its confirmation before it is deleted.
UPLOAD_TTL = timedelta(hours=24)


def discard_stale_uploads(folder: Path, *, now: datetime) -> int:
    """Delete the uploads never confirmed within UPLOAD_TTL (they hold people's data); return how many."""
    if not folder.is_dir():
        return 0
    cutoff = (now - UPLOAD_TTL).timestamp()
    stale = {p.stem for p in folder.iterdir() if p.suffix in (".csv", ".json") and p.stat().st_mtime < cutoff}
    for token in stale:
        discard_upload(folder, token)
    return len(stale)


def store_upload(folder: Path, *, data: bytes, kind: str, filename: str, user_id: int, now: datetime) -> str:
    """Keep an uploaded file server-side between the dry run and the confirmation; return its token.

    Each upload also clears out the ones left unconfirmed for longer than UPLOAD_TTL."""
    folder.mkdir(parents=True, exist_ok=True)
    discard_stale_uploads(folder, now=now)
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.csv").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"kind": kind, "filename": filename, "user_id": user_id,
                                                      "created_at": now.isoformat()}))
    return token


def load_upload(folder: Path, token: str, *, user_id: int, now: datetime) -> tuple[bytes, dict[str, Any]] | None:
    """The stored file and its facts, or None if the token is unknown, expired or someone else's."""
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 40:
        return None
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.csv"
    if not meta_path.exists() or not data_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("user_id") != user_id:
        return None
    try:
        expired = datetime.fromisoformat(meta["created_at"]) + UPLOAD_TTL <= now
    except (KeyError, TypeError, ValueError):
        expired = True
    if expired:
        discard_upload(folder, token)
        return None
    return data_path.read_bytes(), meta


def discard_upload(folder: Path, token: str) -> None:
    for suffix in (".csv", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)
