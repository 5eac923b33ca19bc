"""The field taxonomy: every mirror venue mapped, precedence, versioned overrides, clear errors."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from talentflow.errors import ConfigError
from talentflow.taxonomy import UNMAPPED, assign_fields, load_taxonomy


def test_every_venue_of_the_mirror_is_mapped(mirror):
    venues = sorted(p.name for p in (mirror / "paperlists").iterdir() if p.is_dir())
    assert len(venues) == 30
    tax = load_taxonomy()
    missing = [v for v in venues if tax.venue_field(v) is None]
    assert not missing, f"venues without a field: {missing}"


def test_every_primary_area_label_of_the_mirror_is_mapped(mirror):
    tax = load_taxonomy()
    missing = set()
    n = 0
    for path in sorted((mirror / "paperlists").glob("*/*.json.gz")):
        venue = path.parent.name
        if venue not in ("aaai", "ijcai", "acmmm"):
            continue
        for rec in json.loads(gzip.decompress(path.read_bytes())):
            label = (rec.get("primary_area") or "").strip()
            if label:
                n += 1
                if tax.primary_area_field(venue, label) is None:
                    missing.add((venue, label))
    assert n > 5000
    assert not missing, f"primary_area labels without a field: {sorted(missing)}"


def test_shipped_taxonomy_is_versioned_and_consistent():
    tax = load_taxonomy()
    assert tax.version and "+" not in tax.version
    assert {"machine_learning", "computer_vision", "nlp", "robotics", "general_ai", "data_mining_web",
            "learning_theory", "graphics", "multimedia"} <= set(tax.field_ids)
    frame = tax.mapping_frame()
    assert set(frame["field"]) <= set(tax.field_ids)


def _works(rows):
    return pd.DataFrame(rows, columns=["work_id", "source", "venue", "subfield_label"])


def test_primary_area_beats_venue_and_unknown_venues_are_reported():
    tax = load_taxonomy()
    works = _works([
        ("a", "paperlists", "aaai", "Speech and Natural Language Processing"),
        ("b", "paperlists", "aaai", None),
        ("c", "paperlists", "icra", None),
        ("d", "paperlists", "nosuchvenue", None),
        ("e", "paperlists", "ijcai", "A label nobody mapped"),
    ])
    out = assign_fields(works, tax).set_index("work_id")
    assert out.loc["a", ["field", "rule"]].tolist() == ["nlp", "primary_area"]
    assert out.loc["b", ["field", "rule"]].tolist() == ["general_ai", "venue"]
    assert out.loc["c", "field"] == "robotics"
    assert out.loc["d", ["field", "rule"]].tolist() == [UNMAPPED, "unmapped"]
    assert out.loc["e", ["field", "rule"]].tolist() == ["general_ai", "venue"]
    assert len(out) == len(works)


def test_openalex_labels_map_through_subfield_and_topic():
    tax = load_taxonomy()
    works = _works([
        ("W1", "openalex", "Some Journal", "Computer Science / Computer Vision and Pattern Recognition"),
        ("W2", "openalex", "Some Journal", "Natural Language Processing Techniques"),
        ("W3", "openalex", "Some Journal", "Physical Sciences / Astronomy"),
    ])
    out = assign_fields(works, tax).set_index("work_id")
    assert out.loc["W1", ["field", "rule"]].tolist() == ["computer_vision", "openalex"]
    assert out.loc["W2", "field"] == "nlp"
    assert out.loc["W3", "field"] == UNMAPPED


def test_toml_override_changes_version_and_mapping(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('''
[fields.embodied_ai]
label = "Embodied AI"
[venues]
corl = "embodied_ai"
newconf = "nlp"
[[primary_areas]]
venue = "aaai"
label = "Intelligent Robotics"
field = "embodied_ai"
''', encoding="utf-8")
    tax = load_taxonomy(path)
    assert tax.version.startswith(load_taxonomy().version + "+user-")
    assert tax.venue_field("corl") == "embodied_ai"
    assert tax.venue_field("newconf") == "nlp"
    assert tax.primary_area_field("aaai", "intelligent  robotics") == "embodied_ai"
    assert tax.venue_field("icra") == "robotics"  # untouched entries stay


def test_csv_override_and_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "mine.csv"
    path.write_text("kind,venue,label,field\nvenue,rss,,machine_learning\nopenalex_topic,,Robot Dreams,robotics\n", encoding="utf-8")
    monkeypatch.setenv("TALENTFLOW_TAXONOMY", str(path))
    tax = load_taxonomy()
    assert tax.venue_field("rss") == "machine_learning"
    assert tax.openalex_field("Robot Dreams") == "robotics"
    assert "+user-" in tax.version


@pytest.mark.parametrize("text, message", [
    ("[venues]\nicra = 'no_such_field'\n", "unknown field"),
    ("[bogus]\nx = 1\n", "unknown section"),
    ("[venues\n", "not valid TOML"),
])
def test_bad_overrides_fail_clearly(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_taxonomy(path)


def test_bad_csv_override_names_the_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("kind,venue,label,field\nvenue,icra,,robotics\nplanet,,x,robotics\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 3"):
        load_taxonomy(path)
