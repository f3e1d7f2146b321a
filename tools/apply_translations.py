"""Fill empty Russian msgstrs from JSON files of {msgid: translation}.

Usage: python tools/apply_translations.py FILE.json [FILE.json ...]
Entries that already have a translation are left as they are.
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
        if message.id and not message.string and message.id in translations:
            message.string = translations[message.id]
            message.flags.discard("fuzzy")
            filled += 1
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, width=100, sort_output=True)
    missing = [m.id for m in catalogue if m.id and not m.string]
    print(f"filled {filled}; still untranslated {len(missing)}")
    for msgid in missing:
        print("  ", msgid)


if __name__ == "__main__":
    main(sys.argv[1:])
