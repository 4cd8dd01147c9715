"""vCard 4.0 for one contact: a pure function, record → text."""
from __future__ import annotations

from outreach.contacts.csv_io import safe_cell
from outreach.contacts.models import Contact


def _escape(value: str) -> str:
    # Address books hand vCards on to spreadsheets: the same formula guard as the CSV export (which also drops
    # control bytes). Any line break, a lone CR included, becomes \n: none may start a property of its own.
    value = safe_cell(value.replace("\r\n", "\n").replace("\r", "\n"))
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def contact_vcard(contact: Contact) -> str:
    """The contact's names, current post, e-mails and phones as a vCard (RFC 6350)."""
    lines = ["BEGIN:VCARD", "VERSION:4.0",
             f"FN:{_escape(contact.full_name)}",
             f"N:{_escape(contact.last_name)};{_escape(contact.first_name)};;{_escape(contact.honorific or '')};"]
    current = contact.current_position
    if current:
        lines.append(f"ORG:{_escape(current.organisation.name)}")
        lines.append(f"TITLE:{_escape(current.title)}")
    for i, e in enumerate(contact.emails):
        lines.append(f"EMAIL;TYPE=work{';PREF=1' if i == 0 else ''}:{e.email}")
    for i, p in enumerate(contact.phones):
        lines.append(f"TEL;VALUE=uri;TYPE=voice{';PREF=1' if i == 0 else ''}:tel:{p.number}")
    lines += [f"UID:urn:outreach:contact:{contact.id}", "END:VCARD"]
    return "\r\n".join(lines) + "\r\n"
