"""Fill untranslated (or fuzzy) entries of the Thai catalogue from JSON maps {msgid: Thai}.

    python scripts/po_fill.py MAP.json [MAP.json ...]

Plural entries get the Thai text in msgstr[0] (Thai has one plural form). Prints the msgids
that are still untranslated. Run `make messages` (or makemessages) first.
"""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "locale" / "th" / "LC_MESSAGES" / "django.po"


def main(paths: list[str]) -> int:
    table: dict[str, str] = {}
    for path in paths:
        table.update(json.loads(Path(path).read_text(encoding="utf-8")))
    text = PO.read_text(encoding="utf-8")
    out, missing = [], []
    for entry in text.split("\n\n"):
        m = re.search(r'(?ms)^msgid (".*?")\n(msgstr|msgid_plural)', entry)
        if m and "Language:" not in entry:
            msgid = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
            msgid = msgid.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
            needs = "#, fuzzy" in entry or re.search(r'msgstr(\[0\])? ""\s*$', entry.strip())
            if needs:
                if msgid in table:
                    lines = [ln for ln in entry.split("\n") if not ln.startswith("#|")]
                    lines = [
                        ln.replace("#, fuzzy, ", "#, ").replace("#, fuzzy", "")
                        if ln.startswith("#,")
                        else ln
                        for ln in lines
                    ]
                    lines = [ln for ln in lines if ln.strip() not in ("#,", "")]
                    entry = "\n".join(lines)
                    key = "msgstr[0]" if "msgid_plural" in entry else "msgstr"
                    value = table[msgid].replace("\\", "\\\\").replace('"', '\\"')
                    value = value.replace("\n", "\\n")
                    replacement = f'{key} "{value}"'
                    entry = re.sub(r"(?ms)^msgstr.*\Z", lambda _m, r=replacement: r, entry)
                else:
                    missing.append(msgid)
        out.append(entry)
    PO.write_text("\n\n".join(out), encoding="utf-8")
    for msgid in missing:
        print("untranslated:", json.dumps(msgid, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
