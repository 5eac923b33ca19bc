"""Figure specifications (pure, synthetic frames): colours that name one series each, titles that
cannot collide with axis titles, Sankey and network labels laid out so they do not overlap, and the
``narrow`` (phone) overrides the report applies."""

from __future__ import annotations

import pandas as pd
import pytest

from talentflow.report import figures as fg


def _series(countries: int, variables=("stock", "net_migration")) -> pd.DataFrame:
    rows = []
    for i in range(countries):
        for var in variables:
            for year in range(2019, 2031):
                effect = (i + 1) * (year - 2024) if year > 2024 else 0.0
                base = 1000.0 * (i + 1)
                rows.append({"name": f"Country {i:02d}", "variable": var, "year": year, "baseline": base,
                             "baseline_low": base - 5, "baseline_high": base + 5, "counterfactual": base + effect,
                             "counterfactual_low": base + effect - 5, "counterfactual_high": base + effect + 5,
                             "difference": effect, "difference_low": effect - 3, "difference_high": effect + 3})
    return pd.DataFrame(rows)


def _legend(fig: dict) -> list[dict]:
    return [t for t in fig["data"] if t.get("showlegend", True) and t.get("name")]


def _colour(trace: dict) -> str:
    return trace.get("line", {}).get("color") or trace.get("fillcolor")


@pytest.mark.parametrize("build", [fg.scenario_difference, fg.scenario_lines])
def test_scenario_charts_show_top_n_and_one_other_band(build):
    fig = build(_series(30), "EU fund: effect", "stock")
    legend = _legend(fig)
    assert len(legend) <= fg.SCENARIO_TOP + 1
    colours = [_colour(t) for t in legend]
    assert len(set(colours)) == len(colours), colours  # no colour stands for two countries
    other = [t for t in legend if t["name"].startswith("other")]
    assert len(other) == 1 and "other 24 countries" in other[0]["name"]
    named = {t["name"] for t in legend} - {other[0]["name"]}
    # the named ones are those with the largest effect
    assert named == {f"Country {i:02d}" for i in range(24, 30)}
    # every line of one colour belongs to one country
    by_colour: dict[str, set] = {}
    for t in fig["data"]:
        if t.get("mode", "").startswith("lines") and t.get("name"):
            by_colour.setdefault(t["line"]["color"], set()).add(t["legendgroup"])
    assert all(len(groups) == 1 for groups in by_colour.values())


def test_every_chart_of_a_scenario_names_the_same_countries_in_the_same_colours():
    s = _series(30)
    s.loc[(s["variable"] == "net_migration") & (s["name"] == "Country 00"), "difference"] *= 1000
    charts = [fg.scenario_difference(s, "t", "stock"), fg.scenario_difference(s, "t", "net_migration"),
              fg.scenario_lines(s, "t", "net_migration")]
    keys = [{(t["name"].split(" (")[0], _colour(t)) for t in _legend(c)} for c in charts]
    assert keys[0] == keys[1] == keys[2]


def test_scenario_chart_with_few_countries_names_them_all():
    fig = fg.scenario_difference(_series(5), "Korea: effect", "stock")
    legend = _legend(fig)
    assert sorted(t["name"] for t in legend) == [f"Country {i:02d}" for i in range(5)]
    assert len({_colour(t) for t in legend}) == 5
    # seven countries (top six + one) are named rather than banding a single 'other' country
    assert len(_legend(fg.scenario_difference(_series(7), "t", "stock"))) == 7


def _figures() -> dict[str, dict]:
    rates = pd.DataFrame({"country": ["USA", "CHN", "GRC"], "name": ["United States", "China", "Greece"],
                          "net_rate": [1.0, 2.0, -3.0], "net_rate_lo": [0.5, 1.0, -5.0], "net_rate_hi": [1.5, 3.0, -1.0],
                          "population": [1000, 1000, 1000]})
    shares = pd.DataFrame({"organization": ["Google", "Microsoft"], "foreign_share": [0.2, 0.3],
                           "foreign_share_lo": [0.1, 0.2], "foreign_share_hi": [0.3, 0.4]})
    val = pd.DataFrame({"metric": ["net_ai_talent_migration_per_10k"] * 2, "entity": ["A", "B"],
                        "published_value": [1.0, -1.0], "talentflow_value": [2.0, -2.0],
                        "talentflow_value_lo": [1.0, -3.0], "talentflow_value_hi": [3.0, -1.0]})
    s = _series(30)
    return {"difference": fg.scenario_difference(s, "EU: $585M researcher fund (illustration): effect on stock "
                                                    "(scenario - baseline)", "stock"),
            "lines": fg.scenario_lines(s, "EU: net migration, baseline and scenario", "net_migration"),
            "ranking": fg.ranking(rates, "Net migration rate", min_population=0),
            "bars": fg.bars(shares, "foreign_share", "organization", "Foreign-origin share", "%", "foreign_share_lo",
                            "foreign_share_hi", scale=100),
            "validation": fg.validation_scatter(val, "Stanford AI Index vs talentflow")}


@pytest.mark.parametrize("name", ["difference", "lines", "ranking", "bars", "validation"])
def test_titles_and_axis_titles_cannot_overlap(name):
    lay = _figures()[name]["layout"]
    title = lay["title"]
    # the chart title sits above the plot area and pushes the top margin: never on the plot or an axis title
    assert title["yref"] == "paper" and title["y"] >= 1 and title["yanchor"] == "bottom" and title["automargin"] is True
    for key in ("xaxis", "yaxis"):
        axis = lay.get(key, {})
        assert axis.get("automargin") is True, key
        if "title" in axis:
            assert axis["title"].get("standoff", 0) >= 8, key
    ytitle = lay.get("yaxis", {}).get("title", {}).get("text", "")
    # a rotated y-axis title longer than the plot is tall runs into the chart title: about 7 px a character
    plot_height = lay["height"] - 90 - (110 if "legend" in lay else 40)
    assert 7 * len(ytitle) <= plot_height, (ytitle, plot_height)
    if "legend" in lay:  # a bottom legend in container coordinates, below the x-axis title, not on it
        assert lay["legend"]["yref"] == "container" and lay["legend"]["yanchor"] == "bottom"


def _flows(n: int) -> pd.DataFrame:
    names = [f"Place number {i} with a long official name" for i in range(n)]
    return pd.DataFrame({"origin": [f"O{i:02d}" for i in range(n)], "origin_name": names,
                         "destination": [f"D{i % 4}" for i in range(n)],
                         "destination_name": [f"Destination {i % 4}" for i in range(n)],
                         "count": [100 - i for i in range(n)]})


def test_sankey_colours_labels_and_spacing():
    fig = fg.sankey(_flows(12), "Largest flows", origin_label="origin_name", destination_label="destination_name")
    node = fig["data"][0]["node"]
    left = 12
    colours = node["color"][:left]
    named = [c for c in colours if c != fg.OTHER]
    assert len(named) == len(set(named)) == len(fg.SERIES)  # distinct colours for the largest, grey for the rest
    assert colours[0] == fg.SERIES[0]  # the largest origin first
    assert max(len(x) for x in node["label"]) <= 28  # long names cut (the full one is in the hover)
    assert node["customdata"][0] == "Place number 0 with a long official name"
    assert fig["layout"]["height"] >= 30 * left  # room for every label without overlap
    narrow = fig["narrow"]["data"]["0"]["node"]["label"]
    assert narrow[0] == "O00 ▸" and narrow[-1].startswith("▸ D")


def test_network_labels_point_outward_and_are_codes_on_a_phone():
    units = pd.DataFrame({"unit": [f"C{i:02d}" for i in range(24)], "unit_name": [f"Country {i}" for i in range(24)],
                          "papers_full": [1000.0 - 10 * i for i in range(24)], "community": [i % 2 for i in range(24)],
                          "external_share": [0.5] * 24})
    pairs = pd.DataFrame({"unit_a": ["C00", "C01"], "unit_b": ["C02", "C03"], "papers_full": [50.0, 40.0]})
    fig = fg.network(units, pairs, "Co-authorship")
    nodes = fig["data"][-1]
    pos = nodes["textposition"]
    assert isinstance(pos, list) and len(set(pos)) > 3  # not one position for all (labels piled on each other)
    for x, p in zip(nodes["x"], pos):
        if x > 0.3:
            assert "right" in p
        elif x < -0.3:
            assert "left" in p
    assert sorted(fig["narrow"]["data"][str(len(fig["data"]) - 1)]["text"]) == sorted(units["unit"])


def test_numbers_never_read_minus_zero():
    assert fg.fmt(-0.3, 0) == "0" and fg.fmt(-0.04, 1) == "0.0" and fg.fmt(-0.6, 0) == "-1"
    assert fg.fmt(-1234.5, 1) == "-1,234.5" and fg.interval(-2.2, -0.4, 0) == "[-2, 0]"
