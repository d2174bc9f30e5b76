"""The NQF ladder is data (skills/data/nqf_levels.json): migration 0002 loads it, and
``ensure_loaded`` reloads it wherever the rows are missing (a flushed test database)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "nqf_levels.json"


@lru_cache(maxsize=1)
def data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def ensure_loaded() -> None:
    from .models import LadderRung, NqfLevel

    if NqfLevel.objects.count() >= len(data()["levels"]) and LadderRung.objects.exists():
        return
    levels = {}
    for row in data()["levels"]:
        levels[row["number"]], _ = NqfLevel.objects.update_or_create(
            number=row["number"], defaults={"name_th": row["name_th"], "name_en": row["name_en"]}
        )
    for row in data()["ladder"]:
        LadderRung.objects.update_or_create(
            body=row["body"], level=row["level"], defaults={"nqf_level": levels[row["nqf"]]}
        )
