"""The Simplified Chinese translation: complete, compiled, and what users see by default.

The .po file is read by a small reader here rather than a new dependency; the
committed .mo is checked against it because Django only ever reads the .mo, so
a translation added to the .po but not compiled never reaches a user.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from anpai.orgs.choices import OrgKind
from anpai.orgs.tests.conftest import bad_code, org_of

MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO = MESSAGES / "django.po"
MO = MESSAGES / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$')


@dataclass
class Entry:
    """One message of a .po file."""

    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (header included, obsolete ``#~`` entries left out)."""
    entries: list[Entry] = []
    entry, target, index = Entry(), None, 0
    started = False

    def finish():
        nonlocal entry, target, started
        if started:
            entries.append(entry)
        entry, target, started = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue  # comments, references, previous msgids, obsolete entries
        elif line.startswith('"'):
            value = _unquote(line[1:-1])
            if target == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, target, getattr(entry, target) + value)
        else:
            match = _KEYWORD.match(line)
            assert match, f"unreadable line in {path.name}: {raw!r}"
            keyword, number, value = match.groups()
            if keyword == "msgctxt" or (keyword == "msgid" and started and entry.msgstr):
                finish()
            started = True
            value = _unquote(value)
            if keyword.startswith("msgstr"):
                target, index = "msgstr", int(number or 0)
                entry.msgstr[index] = value
            else:
                target = keyword
                setattr(entry, keyword, value)
    finish()
    return entries


def catalog(entries: list[Entry]) -> dict:
    """msgid → msgstr in the shape ``gettext.GNUTranslations`` keeps its catalogue."""
    pairs: dict = {}
    for e in entries:
        if e.msgid == "" and e.msgctxt is None:
            continue  # the header
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            pairs[key] = e.msgstr[0]
        else:
            for i, text in e.msgstr.items():
                pairs[(key, i)] = text
    return pairs


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return read_po(PO)


@pytest.fixture(autouse=True)
def _keep_language():
    # A request switches the active language of the thread; give it back so
    # that later tests in this worker still see the default language.
    with translation.override(translation.get_language()):
        yield


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    messages = [e for e in entries if e.msgid or e.msgctxt]
    assert len(messages) > 300
    untranslated = [e.msgid for e in messages if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []


def test_plural_forms_are_those_of_chinese(entries):
    header = entries[0]
    assert header.msgid == ""
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    plurals = [e for e in entries if e.msgid_plural is not None]
    assert plurals
    assert all(set(e.msgstr) == {0} for e in plurals)


def test_placeholders_are_kept(entries):
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
    for e in entries[1:]:
        wanted = sorted(placeholder.findall(e.msgid_plural or e.msgid))
        for text in e.msgstr.values():
            assert sorted(placeholder.findall(text)) == wanted, e.msgid


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext tools not installed")
def test_msgfmt_finds_nothing_untranslated_or_fuzzy(tmp_path):
    result = subprocess.run(
        [shutil.which("msgfmt"), "--check", "--statistics", "-o", str(tmp_path / "x.mo"), PO],
        capture_output=True,
        text=True,
        env={"LC_ALL": "C"},
        check=True,
    )
    assert "untranslated" not in result.stderr
    assert "fuzzy" not in result.stderr


def test_compiled_catalogue_matches_the_po(entries):
    with MO.open("rb") as fp:
        mo = gettext.GNUTranslations(fp)
    # GNUTranslations has no public way to list its messages; _catalog is it.
    compiled = {k: v for k, v in mo._catalog.items() if k != ""}
    assert compiled == catalog(entries), "run `anpai compilemessages -l zh_Hans`"


@pytest.mark.django_db
def test_pages_are_in_chinese_by_default_and_english_on_request(client, login):
    login_page = client.get(reverse("login")).content.decode()
    assert "登录" in login_page

    client = login("township")
    home = client.get("/").content.decode()
    assert "单位" in home
    assert "行业监管" in home
    orgs = client.get("/orgs/").content.decode()
    assert ">单位<" in orgs or "单位</a>" in orgs
    assert "Organisations" not in orgs

    response = client.post(reverse("set_language"), {"language": "en", "next": "/orgs/"})
    assert response.status_code == 302
    orgs = client.get("/orgs/").content.decode()
    assert "Organisations" in orgs
    assert "行业监管" not in orgs


@pytest.mark.django_db
def test_validation_message_is_in_chinese(login, demo):
    village = org_of(demo["village1"]).region
    response = login("township").post(
        reverse("orgs:create"),
        {
            "name": "译文测试有限公司",
            "kind": OrgKind.ENTERPRISE,
            "credit_code": bad_code(),
            "status": "operating",
            "region": village.pk,
            "address": "工业路8号",
        },
    )
    assert response.status_code == 200
    error = response.context["form"].errors["credit_code"][0]
    assert "统一社会信用代码" in error
    assert "校验码" in error
    assert "请修改下方标出的字段" in response.content.decode()
