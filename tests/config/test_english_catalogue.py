"""The English catalogue holds every string in the code, translated, with every placeholder.

The parser is deliberately tiny (no polib): it reads what makemessages writes.
"""

import ast
import gettext
import os
import re
from pathlib import Path

from django.conf import settings
from django.utils.translation.template import templatize

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
CHINESE = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\((\w+)\)")
# What `make messages` reads: the project minus the virtualenv, the tests and collected files.
SKIPPED_DIRS = {"tests", "node_modules", "staticfiles", "media", "locale"}
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
# templatize() turns {% trans %} and {% blocktrans %} into gettext('…') calls, as makemessages does.
TEMPLATE_CALL = re.compile(r"\b(?:n?gettext)\((u?'(?:[^'\\]|\\.)*'|u?\"(?:[^\"\\]|\\.)*\")")
# The language switcher names each language in itself, so this one stays Chinese.
OWN_NAMES = ("简体中文",)


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: msgid, msgid_plural, msgstr {index: text}, flags; obsolete ones skipped."""
    entries, entry, key = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if line.startswith("#~"):
            entry, key = None, None  # obsolete: not used at runtime
            continue
        if entry is None:
            entry = {"msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set()}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += text
            else:
                entry[key[0]] += text
        else:
            match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (\".*\")$", line)
            assert match, f"unreadable line in {path.name}: {line!r}"
            word, index, text = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if word == "msgstr":
                key = ("msgstr", int(index or 0))
                entry["msgstr"][key[1]] = text
            else:
                key = (word,)
                entry[word] = text
    return [e for e in entries if e["msgid"]]  # drop the header


def source_files(suffix: str) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(settings.BASE_DIR):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS]
        found += [Path(root) / name for name in files if name.endswith(suffix)]
    return found


def msgids_in_python(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        first = node.args[0]
        if (
            name in GETTEXT_NAMES
            and isinstance(first, ast.Constant)
            and isinstance(first.value, str)
        ):
            found.add(first.value)
    return found


def msgids_in_template(path: Path) -> set[str]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    return {ast.literal_eval(literal) for literal in TEMPLATE_CALL.findall(code)}


def test_it_has_extracted_every_string_in_the_code():
    """A string added to the code without `make messages` would show Chinese on English pages."""
    in_catalogue = {e["msgid"] for e in parse_po(PO_FILE)}
    missing = {}
    for path in source_files(".py"):
        for msgid in msgids_in_python(path) - in_catalogue:
            missing.setdefault(msgid, path.name)
    for path in source_files(".html"):
        for msgid in msgids_in_template(path) - in_catalogue:
            missing.setdefault(msgid, path.name)
    missing.pop("", None)
    sample = list(missing.items())[:5]
    assert not missing, (
        f"{len(missing)} strings not in django.po: run make messages, then translate {sample}"
    )


def test_it_shows_the_login_page_in_english_after_switching(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")
    html = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Log in" in html
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    assert labels, "the login form has labels"
    assert not [label for label in labels if CHINESE.search(label)]
    for name in OWN_NAMES:
        html = html.replace(name, "")
    assert not CHINESE.findall(html), "untranslated Chinese on the English login page"


def test_it_translates_every_entry():
    entries = parse_po(PO_FILE)
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or "" in e["msgstr"].values()]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy (check and unflag), e.g. {fuzzy[:5]}"


def test_it_keeps_every_placeholder():
    wrong = []
    for e in parse_po(PO_FILE):
        source = e["msgid"] + (e["msgid_plural"] or "")
        wanted = set(PLACEHOLDER.findall(source))
        for text in e["msgstr"].values():
            if set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append((e["msgid"], text))
    assert not wrong, wrong[:5]


def test_it_has_compiled_the_catalogue_it_ships():
    with PO_FILE.with_suffix(".mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog
    stale = []
    for e in parse_po(PO_FILE):
        if e["msgid_plural"] is None:
            if catalog.get(e["msgid"]) != e["msgstr"][0]:
                stale.append(e["msgid"])
        elif any(catalog.get((e["msgid"], i)) != text for i, text in e["msgstr"].items()):
            stale.append(e["msgid"])
    assert not stale, f"django.mo is older than django.po: run compilemessages -l en ({stale[:3]})"
