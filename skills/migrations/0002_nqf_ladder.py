"""Loads the NQF levels and the bodies' ladder from skills/data/nqf_levels.json (data, not code)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "nqf_levels.json"


def load(apps, schema_editor):
    NqfLevel = apps.get_model("skills", "NqfLevel")
    LadderRung = apps.get_model("skills", "LadderRung")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    levels = {}
    for row in data["levels"]:
        levels[row["number"]], _ = NqfLevel.objects.update_or_create(
            number=row["number"], defaults={"name_th": row["name_th"], "name_en": row["name_en"]}
        )
    for row in data["ladder"]:
        LadderRung.objects.update_or_create(
            body=row["body"], level=row["level"], defaults={"nqf_level": levels[row["nqf"]]}
        )


class Migration(migrations.Migration):
    dependencies = [("skills", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
