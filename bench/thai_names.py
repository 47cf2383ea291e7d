"""Plausible Thai given names and surnames, built from syllables (with vowels and tone marks),
deterministic for a seed: `name_pools(seed, first=60_000, last=260_000)`.

Real names are made of a few common syllables (สม, ศรี, ใจ, ดี, ทอง, สุข, บุญ, ...); the pools mix
those with generated syllables (an initial consonant or cluster, a vowel written before, above,
below or after it, an optional tone mark on the consonant or the upper/lower vowel, and a final
consonant spelled as names spell it: น, ง, ม, ก, ด, ญ, ณ, ล, ร, ศ, ษ, ...). Names are 1 to 3
syllables, surnames 2 to 4: Thai writes them without spaces, and searching them needs the
vowels and tone marks to match.
"""

from __future__ import annotations

import random

COMMON = [
    "สม",
    "ศรี",
    "ใจ",
    "ดี",
    "ทอง",
    "สุข",
    "บุญ",
    "มา",
    "แก้ว",
    "ชัย",
    "วง",
    "ศักดิ์",
    "พร",
    "ประ",
    "เสริฐ",
    "รัตน์",
    "นา",
    "กุล",
    "จันทร์",
    "วัฒ",
    "นะ",
    "สุ",
    "ภา",
    "พงษ์",
    "เพ็ญ",
    "มณี",
    "ทิพย์",
    "อรุณ",
    "สวัสดิ์",
    "เจริญ",
    "พัฒ",
    "กิจ",
    "ธรรม",
    "ชาติ",
    "รักษ์",
    "วิ",
    "ไล",
    "ปรี",
    "ดา",
    "นภา",
    "สิริ",
    "อุดม",
    "กาญ",
    "จนา",
    "ณัฐ",
    "ธนา",
    "นันท์",
    "พิมพ์",
    "ลักษณ์",
    "วรรณ",
    "สุดา",
    "อัญ",
    "ชลี",
    "ปัญญา",
    "ศิริ",
    "เกียรติ",
    "ยศ",
    "บัว",
    "คำ",
    "เงิน",
    "ฤทธิ์",
    "ศิลป์",
    "อำนาจ",
    "ประสิทธิ์",
    "มงคล",
    "บุษ",
    "บา",
    "ขวัญ",
    "เรือง",
    "ศรี",
    "สุวรรณ",
    "ทรัพย์",
    "ใหม่",
    "น้อย",
    "เล็ก",
]

INITIALS = [
    "ก",
    "ข",
    "ค",
    "ง",
    "จ",
    "ฉ",
    "ช",
    "ซ",
    "ด",
    "ต",
    "ถ",
    "ท",
    "ธ",
    "น",
    "บ",
    "ป",
    "ผ",
    "พ",
    "ฟ",
    "ภ",
    "ม",
    "ย",
    "ร",
    "ล",
    "ว",
    "ศ",
    "ส",
    "ห",
    "อ",
    "ก",
    "จ",
    "ช",
    "ด",
    "ท",
    "น",
    "บ",
    "พ",
    "ม",
    "ส",
    "กร",
    "ปร",
    "พร",
    "ศร",
]
FINALS = ("", "", "", "", "น", "ง", "ม", "ก", "ด", "บ", "ย", "ว", "ญ", "ณ", "ล", "ร", "ศ", "ษ", "ส", "ต", "ท")  # fmt: skip
TONES = ("", "", "", "", "่", "่", "้", "้", "๊")
# (before, above/below, after, needs a final, takes a final)
VOWELS = (
    ("", "", "า", False, True),
    ("", "ิ", "", False, True),
    ("", "ี", "", False, True),
    ("", "ึ", "", True, True),
    ("", "ุ", "", False, True),
    ("", "ู", "", False, True),
    ("เ", "", "", False, True),
    ("แ", "", "", False, True),
    ("โ", "", "", False, True),
    ("ไ", "", "", False, False),
    ("ใ", "", "", False, False),
    ("", "ั", "", True, True),
    ("", "", "ำ", False, False),
    ("", "", "อ", False, True),
    ("", "", "", True, True),  # the inherent vowel: สม, พร, ชล
)


def syllable(rng: random.Random) -> str:
    initial = rng.choice(INITIALS)
    before, mark, after, needs_final, takes_final = rng.choice(VOWELS)
    final = rng.choice(FINALS) if takes_final else ""
    if needs_final and not final:
        final = rng.choice(("น", "ง", "ม", "ก", "ด", "ย"))
    # a tone mark mostly on open or sonorant-final syllables; never on the bare inherent vowel
    plain = not (before or mark or after)
    tone = "" if plain or final in "กดบศษสต" and final else rng.choice(TONES)
    if after == "ำ":
        return f"{before}{initial}{tone}ำ"
    return f"{before}{initial}{mark}{tone}{after}{final}"


def syllables(rng: random.Random, count: int) -> list[str]:
    found = dict.fromkeys(COMMON)
    while len(found) < count:
        found.setdefault(syllable(rng))
    return list(found)


def _pool(rng: random.Random, parts: list[str], size: int, lengths: tuple[int, ...]) -> list[str]:
    common = len(COMMON)
    names: dict[str, None] = {}
    while len(names) < size:
        n = rng.choice(lengths)
        # common syllables half of the time, so names look like names
        picked = [
            parts[rng.randrange(common)] if rng.random() < 0.5 else rng.choice(parts)
            for _ in range(n)
        ]
        names.setdefault("".join(picked))
    return list(names)


def name_pools(seed: int, first: int = 60_000, last: int = 260_000) -> tuple[list[str], list[str]]:
    """(given names, surnames): `first` and `last` distinct strings."""
    rng = random.Random(seed)
    parts = syllables(rng, 1_500)
    given = _pool(rng, parts, first, (1, 2, 2, 2, 2, 2, 3))
    surnames = _pool(rng, parts, last, (2, 2, 2, 2, 3))
    return given, surnames
