"""Regenerate the zh_Hans catalogue: collect every msgid from the code (makemessages),
fill translations from the JSON dictionaries in src/safework/locale/zh_Hans/*.json, and
compile. Run by `make messages`; both django.po and django.mo are committed."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "safework"
LOCALE = APP / "locale" / "zh_Hans"
PO = LOCALE / "LC_MESSAGES" / "django.po"


def main() -> int:
    env_python = sys.executable
    subprocess.run(
        [
            env_python,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "-i",
            "static/*",
            "-i",
            "locale/*",
        ],
        cwd=APP,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "safework.settings",
            "SAFEWORK_ENV": "test",
            "PATH": "/usr/bin:/bin",
            "SAFEWORK_DATA_DIR": str(ROOT / "var"),
        },
    )
    table: dict[str, str] = {}
    for path in sorted(LOCALE.glob("*.json")):
        table.update(json.loads(path.read_text(encoding="utf-8")))
    import polib  # noqa: PLC0415

    po = polib.pofile(str(PO))
    missing = []
    for entry in po:
        # A msgid with a context (pgettext) is keyed "context\u0004msgid" in the JSON, the
        # way gettext itself joins them; without such a key the plain msgid's text is used.
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if key in table:
            entry.msgstr, entry.flags = table[key], [f for f in entry.flags if f != "fuzzy"]
            continue
        if "fuzzy" in entry.flags and entry.msgid not in table:
            # makemessages' guess from a similar msgid ("Place" took 替代的旧证): never a
            # translation; the msgid needs its own entry in a JSON dictionary.
            entry.msgstr, entry.msgstr_plural = "", {0: ""} if entry.msgid_plural else {}
        entry.flags = [f for f in entry.flags if f != "fuzzy"]
        if entry.msgid in table:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: table[entry.msgid]}
            else:
                entry.msgstr = table[entry.msgid]
        elif not (entry.msgstr or entry.msgstr_plural.get(0)):
            missing.append(entry.msgid)
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Language"] = "zh_Hans"
    po.save()
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    if missing:
        print(f"{len(missing)} msgids without a zh_Hans translation:", file=sys.stderr)
        for m in missing:
            print(f"  {m!r}", file=sys.stderr)
        return 1
    print(f"zh_Hans: {len(po)} messages, all translated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
