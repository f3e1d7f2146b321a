"""Fill empty or fuzzy Russian msgstrs from JSON files of {msgid: translation}.

Usage: python tools/apply_translations.py FILE.json [FILE.json ...]
Entries that already have a confirmed translation are left as they are. A plural entry is
keyed by its singular msgid and translated by a list of the three Russian forms.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = (
    Path(__file__).resolve().parent.parent / "school/translations/ru/LC_MESSAGES/messages.po"
)


def main(paths: list[str]) -> None:
    translations: dict[str, str] = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="ru")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        key = message.id[0] if message.pluralizable else message.id
        done = all(message.string) if message.pluralizable else bool(message.string)
        if (done and not message.fuzzy) or key not in translations:
            continue
        value = translations[key]
        message.string = tuple(value) if message.pluralizable else value
        message.flags.discard("fuzzy")
        filled += 1
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=True)
    missing = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not (all(m.string) if m.pluralizable else m.string))
    ]
    print(f"filled {filled}; still untranslated {len(missing)}")
    for msgid in missing:
        print("  ", msgid)


if __name__ == "__main__":
    main(sys.argv[1:])
