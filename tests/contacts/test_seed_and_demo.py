"""The benchmark generator (`outreach seed`) and the demo directory."""
from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from outreach.cli import main


def _env(monkeypatch, tmp_path, name):
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("OUTREACH_DATABASE_URL", f"sqlite:///{tmp_path / name}")
    monkeypatch.setenv("OUTREACH_ARGON2_PROFILE", "fast")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner


def _rows(path, sql):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_seed_generates_a_reproducible_searchable_directory(monkeypatch, tmp_path):
    names = []
    for db_name in ("a.db", "b.db"):
        runner = _env(monkeypatch, tmp_path, db_name)
        result = runner.invoke(main, ["seed", "--organisations", "30", "--contacts", "400", "--seed", "7"])
        assert result.exit_code == 0, result.output
        assert "Added 30 organisations, 400 contacts" in result.output
        path = tmp_path / db_name
        assert _rows(path, "SELECT count(*) FROM contacts") == [(400,)]
        assert _rows(path, "SELECT count(*) FROM positions WHERE end_date IS NULL") == [(400,)]
        assert _rows(path, "SELECT count(*) FROM organisations WHERE parent_id IS NOT NULL")[0][0] > 0
        last = _rows(path, "SELECT last_name FROM contacts WHERE id = 123")[0][0]
        # The search index followed the bulk insert.
        assert _rows(path, f"SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH '\"{last.lower()}\"'")
        names.append(_rows(path, "SELECT first_name, last_name FROM contacts ORDER BY id"))
    assert names[0] == names[1]
    refused = runner.invoke(main, ["seed", "--contacts", "-5"])
    assert refused.exit_code == 2


def test_seed_demo_tells_the_directory_story(monkeypatch, tmp_path):
    runner = _env(monkeypatch, tmp_path, "demo.db")
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    path = tmp_path / "demo.db"
    # the directory's ~42, and the bodies monitoring's instruments need (the Security Council, IGAD…)
    assert 38 <= _rows(path, "SELECT count(*) FROM organisations")[0][0] <= 50
    assert 140 <= _rows(path, "SELECT count(*) FROM contacts")[0][0] <= 160
    assert _rows(path, "SELECT count(*) FROM positions WHERE end_date IS NOT NULL")[0][0] >= 10  # people who moved
    acronyms = {r[0] for r in _rows(path, "SELECT acronym FROM organisations")}
    assert {"DPO", "DPPA", "MINUSCA", "MONUSCO", "UNMISS", "AUC", "PSC", "ECOWAS", "ASEAN", "UN Women"} <= acronyms
    minusca_parent = _rows(path, "SELECT p.acronym FROM organisations o JOIN organisations p ON p.id = o.parent_id "
                                 "WHERE o.acronym = 'MINUSCA'")
    assert minusca_parent == [("DPO",)]
    partners_who_know = _rows(path, "SELECT count(DISTINCT r.user_id) FROM relationships r JOIN users u "
                                    "ON u.id = r.user_id WHERE u.role = 'partner'")
    assert partners_who_know == [(5,)]
    # contact lists, each with members from the right offices
    lists = dict(_rows(path, "SELECT l.name, count(m.contact_id) FROM contact_lists l LEFT JOIN contact_list_members m "
                             "ON m.list_id = l.id GROUP BY l.name"))
    assert set(lists) >= {"Security Council desk officers", "AU PSC contacts", "CSW side-event invitees"}
    assert all(n >= 3 for n in lists.values()), lists
    au_members_elsewhere = _rows(path, """
        SELECT count(*) FROM contact_list_members m JOIN contact_lists l ON l.id = m.list_id
        WHERE l.name = 'AU PSC contacts' AND m.contact_id NOT IN (
            SELECT p.contact_id FROM positions p JOIN organisations o ON o.id = p.organisation_id
            WHERE p.end_date IS NULL AND o.country = 'ET')""")
    assert au_members_elsewhere == [(0,)]
