"""Plotly figure specifications (plain dicts) built from the read queries' frames. Pure: no I/O.

Colours are colour-blind safe: Okabe-Ito for categories, an orange-white-blue diverging scale
for signed figures (net migration, log RCA), cividis for sequential ones. Every hover text names
the unit and the interval.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
GAIN, LOSS, NEUTRAL = "#0072B2", "#D55E00", "#F7F7F7"
DIVERGING = [[0.0, LOSS], [0.5, NEUTRAL], [1.0, GAIN]]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _layout(title: str, height: int = 420, **extra) -> dict:
    out = {"title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
           "height": height, "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
           "font": {"family": FONT, "size": 12, "color": "#222"},
           "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "hoverlabel": {"font": {"family": FONT}}}
    out.update(extra)
    return out


def fmt(value, digits: int = 1) -> str:
    """A number for people: thousands separators, a fixed number of decimals, '–' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer() and abs(value) >= 100):
        return f"{int(round(float(value))):,}"
    return f"{float(value):,.{digits}f}"


def interval(lo, hi, digits: int = 1) -> str:
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)) or (isinstance(hi, float) and math.isnan(hi)):
        return ""
    return f"[{fmt(lo, digits)}, {fmt(hi, digits)}]"


def _col(frame: pd.DataFrame, name: str) -> list:
    if name not in frame.columns:
        return [None] * len(frame)
    return [None if (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v for v in frame[name].tolist()]


# -- migration ----------------------------------------------------------------------------------------

def world_map(rates: pd.DataFrame, title: str = "Net migration rate per 1,000 researchers") -> dict:
    """Choropleth of net_rate by ISO3 country (diverging, centred on 0, clipped at the 95th percentile)."""
    r = rates[rates["net_rate"].notna()]
    z = r["net_rate"].astype(float)
    cap = float(np.nanpercentile(np.abs(z), 95)) if len(z) else 1.0
    cap = cap or 1.0
    text = [f"<b>{n}</b><br>net rate {fmt(v)} per 1,000 {interval(lo, hi)}<br>"
            f"in {fmt(i, 0)} · out {fmt(o, 0)} moves<br>{fmt(p, 0)} person-years"
            for n, v, lo, hi, i, o, p in zip(r["name"], z, _col(r, "net_rate_lo"), _col(r, "net_rate_hi"),
                                             _col(r, "inflows"), _col(r, "outflows"), _col(r, "population"))]
    return {
        "data": [{"type": "choropleth", "locationmode": "ISO-3", "locations": r["country"].tolist(),
                  "z": z.round(3).tolist(), "zmin": -cap, "zmax": cap, "zmid": 0, "colorscale": DIVERGING,
                  "marker": {"line": {"color": "#999", "width": 0.4}}, "text": text,
                  "hovertemplate": "%{text}<extra></extra>",
                  "colorbar": {"title": {"text": "net per<br>1,000"}, "thickness": 12, "len": 0.8}}],
        "layout": _layout(title, 460, geo={"scope": "world", "resolution": 110, "showframe": False,
                                           "showcoastlines": True, "coastlinecolor": "#999",
                                           "showland": True, "landcolor": "#e9e9e9", "showcountries": True,
                                           "countrycolor": "#bbb", "projection": {"type": "natural earth", "rotation": {"lon": 0}},
                                           "lonaxis": {"range": [-180, 180]}, "lataxis": {"range": [-58, 85]},
                                           "center": {"lon": 0, "lat": 15}},
                          margin={"l": 0, "r": 0, "t": 50, "b": 0}),
    }


def sankey(flows: pd.DataFrame, title: str, origin: str = "origin", destination: str = "destination",
           value: str = "count", origin_label: str | None = None, destination_label: str | None = None,
           n: int = 30, unit: str = "moves") -> dict:
    """Sankey of the ``n`` largest flows; origins on the left, destinations on the right."""
    f = flows.dropna(subset=[value]).sort_values(value, ascending=False).head(n)
    ol = f[origin_label or origin].astype(str).tolist()
    dl = f[destination_label or destination].astype(str).tolist()
    left = list(dict.fromkeys(ol))
    right = list(dict.fromkeys(dl))
    labels = [f"{x} ▸" for x in left] + [f"▸ {x}" for x in right]
    colours = [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(left))] + ["#888888"] * len(right)
    src = [left.index(o) for o in ol]
    dst = [len(left) + right.index(d) for d in dl]
    link_colours = [_alpha(colours[s], 0.45) for s in src]
    return {
        "data": [{"type": "sankey", "arrangement": "snap",
                  "node": {"label": labels, "color": colours, "pad": 12, "thickness": 14,
                           "line": {"color": "#555", "width": 0.3},
                           "hovertemplate": f"%{{label}}<br>%{{value:,}} {unit}<extra></extra>"},
                  "link": {"source": src, "target": dst, "value": f[value].astype(float).tolist(),
                           "color": link_colours,
                           "hovertemplate": f"%{{source.label}} → %{{target.label}}<br>%{{value:,}} {unit}<extra></extra>"}}],
        "layout": _layout(title, max(380, 18 * max(len(left), len(right)) + 120)),
    }


def _alpha(hex_colour: str, a: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{a})"


def ranking(rates: pd.DataFrame, title: str, n: int = 15, value: str = "net_rate", label: str = "name",
            unit: str = "per 1,000 researchers", min_population: float = 100) -> dict:
    """Dot-and-interval chart of the ``n`` largest gains and losses (countries with enough people)."""
    r = rates[rates[value].notna()]
    if "population" in r.columns:
        r = r[r["population"] >= min_population]
    r = r.sort_values(value)
    pick = pd.concat([r.head(n), r.tail(n)]).drop_duplicates(subset=[label]).sort_values(value)
    v = pick[value].astype(float)
    lo = pd.to_numeric(pick.get(f"{value}_lo"), errors="coerce") if f"{value}_lo" in pick.columns else v
    hi = pd.to_numeric(pick.get(f"{value}_hi"), errors="coerce") if f"{value}_hi" in pick.columns else v
    colours = [GAIN if x > 0 else LOSS if x < 0 else "#777777" for x in v]
    text = [f"<b>{n_}</b><br>{fmt(x)} {unit} {interval(a, b)}" for n_, x, a, b in zip(pick[label], v, lo, hi)]
    return {
        "data": [{"type": "scatter", "mode": "markers", "x": v.round(3).tolist(), "y": pick[label].astype(str).tolist(),
                  "marker": {"color": colours, "size": 9, "symbol": ["circle" if x > 0 else "diamond" if x < 0 else "square" for x in v]},
                  "error_x": {"type": "data", "symmetric": False, "array": (hi - v).clip(lower=0).round(3).fillna(0).tolist(),
                              "arrayminus": (v - lo).clip(lower=0).round(3).fillna(0).tolist(), "color": "#666",
                              "thickness": 1.2, "width": 3},
                  "text": text, "hovertemplate": "%{text}<extra></extra>"}],
        "layout": _layout(title, max(360, 20 * len(pick) + 100),
                          xaxis={"title": {"text": f"net migration rate ({unit}), 95% interval"}, "zeroline": True,
                                 "zerolinecolor": "#333", "gridcolor": "#eee"},
                          yaxis={"automargin": True, "gridcolor": "#f5f5f5"}, margin={"l": 140, "r": 20, "t": 50, "b": 50}),
    }


def bars(frame: pd.DataFrame, x: str, y: str, title: str, unit: str, lo: str | None = None, hi: str | None = None,
         scale: float = 1.0, digits: int = 1, colour: str = OKABE_ITO[0], xtitle: str | None = None) -> dict:
    """Horizontal bars of ``x`` by ``y`` label with optional interval columns (values times ``scale``)."""
    f = frame.dropna(subset=[x]).iloc[::-1]
    v = f[x].astype(float) * scale
    data = {"type": "bar", "orientation": "h", "x": v.round(4).tolist(), "y": f[y].astype(str).tolist(),
            "marker": {"color": colour}}
    lo_v = hi_v = None
    if lo and hi and lo in f.columns and hi in f.columns:
        lo_v = pd.to_numeric(f[lo], errors="coerce") * scale
        hi_v = pd.to_numeric(f[hi], errors="coerce") * scale
        data["error_x"] = {"type": "data", "symmetric": False, "array": (hi_v - v).clip(lower=0).round(4).fillna(0).tolist(),
                           "arrayminus": (v - lo_v).clip(lower=0).round(4).fillna(0).tolist(), "color": "#333",
                           "thickness": 1.2, "width": 3}
    data["text"] = [f"<b>{lab}</b><br>{fmt(a, digits)} {unit} " + (interval(b, c, digits) if lo_v is not None else "")
                    for lab, a, b, c in zip(f[y], v, lo_v if lo_v is not None else v, hi_v if hi_v is not None else v)]
    data["hovertemplate"] = "%{text}<extra></extra>"
    data["textposition"] = "none"
    return {"data": [data],
            "layout": _layout(title, max(320, 22 * len(f) + 100), xaxis={"title": {"text": xtitle or unit},
                                                                          "gridcolor": "#eee"},
                              yaxis={"automargin": True}, margin={"l": 180, "r": 20, "t": 50, "b": 50})}


# -- specialization -----------------------------------------------------------------------------------

def heatmap(matrix: pd.DataFrame, title: str) -> dict:
    """RCA heatmap on a log2 scale centred on RCA = 1 (diverging); blank cells are suppressed or empty."""
    m = matrix.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.log2(m.to_numpy())
    z = np.where(np.isfinite(z), z, np.nan)
    cap = float(np.nanmax(np.abs(z))) if np.isfinite(z).any() else 1.0
    cap = min(cap, 3.0) or 1.0
    text = [[("suppressed or none" if np.isnan(v) else f"RCA {v:.2f}") for v in row] for row in m.to_numpy()]
    return {
        "data": [{"type": "heatmap", "z": [[None if np.isnan(v) else round(float(v), 3) for v in row] for row in z],
                  "x": [str(c) for c in m.columns], "y": [str(i) for i in m.index], "text": text,
                  "zmin": -cap, "zmax": cap, "zmid": 0, "colorscale": DIVERGING, "xgap": 1, "ygap": 1,
                  "hovertemplate": "%{y} · %{x}<br>%{text}<br>(RCA > 1: specialized)<extra></extra>",
                  "colorbar": {"title": {"text": "log2 RCA"}, "thickness": 12}}],
        "layout": _layout(title, max(420, 22 * len(m.index) + 180), xaxis={"tickangle": -35, "automargin": True},
                          yaxis={"automargin": True, "autorange": "reversed"}, margin={"l": 150, "r": 20, "t": 50, "b": 120}),
    }


def profile(cells: pd.DataFrame, title: str, level: float = 0.95) -> dict:
    """A region's RCA per field with its interval (at ``level``, as computed); the dashed line is RCA = 1."""
    f = cells.dropna(subset=["rca"]).sort_values("rca", ascending=False)
    fig = bars(f, "rca", "field_label", title, "RCA", "rca_lo", "rca_hi", digits=2,
               xtitle=f"revealed comparative advantage (1 = world average), {level:.0%} interval")
    fig["data"][0]["marker"] = {"color": [GAIN if v >= 1 else LOSS for v in f["rca"].iloc[::-1]]}
    fig["layout"]["shapes"] = [{"type": "line", "x0": 1, "x1": 1, "yref": "paper", "y0": 0, "y1": 1,
                                "line": {"color": "#333", "dash": "dash", "width": 1}}]
    return fig


# -- scenarios -------------------------------------------------------------------------------------

def _band(years: list, lo: list, hi: list, fill: str, group: str) -> dict:
    """A filled interval band (no line, no hover) under a series of the legend group ``group``."""
    return {"type": "scatter", "x": years + years[::-1], "y": hi + lo[::-1], "fill": "toself", "fillcolor": fill,
            "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "legendgroup": group}


def scenario_lines(series: pd.DataFrame, title: str, variable: str) -> dict:
    """Baseline and counterfactual medians with bands, one colour per country."""
    data = []
    s = series[series["variable"] == variable]
    for i, (country, g) in enumerate(s.groupby("name", sort=True)):
        c = OKABE_ITO[i % len(OKABE_ITO)]
        g = g.sort_values("year")
        years = g["year"].tolist()
        for kind, dash in (("baseline", "dot"), ("counterfactual", "solid")):
            lo, hi = g[f"{kind}_low"].tolist(), g[f"{kind}_high"].tolist()
            data.append(_band(years, lo, hi, _alpha(c, 0.12 if kind == "baseline" else 0.2), f"{country}"))
            data.append({"type": "scatter", "mode": "lines", "x": years, "y": g[kind].round(2).tolist(),
                         "name": f"{country} ({kind})", "legendgroup": f"{country}",
                         "line": {"color": c, "dash": dash, "width": 2},
                         "hovertemplate": f"{country} {kind}<br>%{{x}}: %{{y:,.0f}} researchers<extra></extra>"})
    return {"data": data, "layout": _layout(title, 420, xaxis={"title": {"text": "year"}, "gridcolor": "#eee"},
                                            yaxis={"title": {"text": f"{variable.replace('_', ' ')} (researchers)"},
                                                   "gridcolor": "#eee"},
                                            legend={"orientation": "h", "y": -0.25},
                                            margin={"l": 70, "r": 20, "t": 50, "b": 110})}


def scenario_difference(series: pd.DataFrame, title: str, variable: str) -> dict:
    """Scenario minus baseline (same draw) with its band, one colour per country."""
    data = []
    s = series[series["variable"] == variable]
    for i, (country, g) in enumerate(s.groupby("name", sort=True)):
        c = OKABE_ITO[i % len(OKABE_ITO)]
        g = g.sort_values("year")
        years = g["year"].tolist()
        lo, hi = g["difference_low"].tolist(), g["difference_high"].tolist()
        data.append(_band(years, lo, hi, _alpha(c, 0.18), country))
        data.append({"type": "scatter", "mode": "lines+markers", "x": years, "y": g["difference"].round(2).tolist(),
                     "name": country, "legendgroup": country, "line": {"color": c, "width": 2}, "marker": {"size": 4},
                     "customdata": [[fmt(a, 0), fmt(b, 0)] for a, b in zip(lo, hi)],
                     "hovertemplate": f"{country}<br>%{{x}}: %{{y:+,.0f}} researchers "
                                      "[%{customdata[0]}, %{customdata[1]}]<extra></extra>"})
    return {"data": data, "layout": _layout(title, 400, xaxis={"title": {"text": "year"}, "gridcolor": "#eee"},
                                            yaxis={"title": {"text": f"scenario - baseline, {variable.replace('_', ' ')} "
                                                                     "(researchers)"}, "zeroline": True,
                                                   "zerolinecolor": "#333", "gridcolor": "#eee"},
                                            legend={"orientation": "h", "y": -0.25}, margin={"l": 70, "r": 20, "t": 50, "b": 90})}


# -- collaboration -------------------------------------------------------------------------------------

def network(units: pd.DataFrame, pairs: pd.DataFrame, title: str, n: int = 30) -> dict:
    """The ``n`` largest units on a circle (grouped by community), links by co-authored papers."""
    u = units.dropna(subset=["papers_full"]).sort_values("papers_full", ascending=False).head(n)
    if "community" in u.columns:
        u = u.sort_values(["community", "papers_full"], ascending=[True, False])
    keys = u["unit"].tolist()
    angle = {k: 2 * math.pi * i / max(len(keys), 1) for i, k in enumerate(keys)}
    pos = {k: (math.cos(a), math.sin(a)) for k, a in angle.items()}
    p = pairs[pairs["unit_a"].isin(keys) & pairs["unit_b"].isin(keys)].dropna(subset=["papers_full"])
    p = p.sort_values("papers_full", ascending=False).head(4 * n)
    top = float(p["papers_full"].max()) if len(p) else 1.0
    data = []
    for _, e in p.iterrows():
        (x0, y0), (x1, y1) = pos[e["unit_a"]], pos[e["unit_b"]]
        data.append({"type": "scatter", "mode": "lines", "x": [x0, x1], "y": [y0, y1], "hoverinfo": "skip",
                     "showlegend": False,
                     "line": {"color": "rgba(0,114,178,0.35)", "width": 0.5 + 6 * float(e["papers_full"]) / top}})
    names = u["unit_name"].fillna(u["unit"]).astype(str).tolist() if "unit_name" in u.columns else keys
    size = u["papers_full"].astype(float)
    comm = u["community"].fillna(0).astype(int).tolist() if "community" in u.columns else [0] * len(u)
    data.append({"type": "scatter", "mode": "markers+text", "x": [pos[k][0] for k in keys],
                 "y": [pos[k][1] for k in keys], "text": names, "textposition": "top center",
                 "marker": {"size": (8 + 30 * np.sqrt(size / size.max())).round(1).tolist() if len(size) else [],
                            "color": [OKABE_ITO[c % len(OKABE_ITO)] for c in comm], "line": {"color": "#333", "width": 0.5}},
                 "customdata": [[fmt(a, 0), fmt(b * 100 if b == b else None, 0), c]
                                for a, b, c in zip(size, _col(u, "external_share"), comm)],
                 "hovertemplate": "<b>%{text}</b><br>%{customdata[0]} papers · %{customdata[1]}% with foreign "
                                  "co-authors<br>community %{customdata[2]}<extra></extra>", "showlegend": False})
    return {"data": data, "layout": _layout(title, 560, xaxis={"visible": False}, yaxis={"visible": False,
                                                                                          "scaleanchor": "x"})}


# -- validation ----------------------------------------------------------------------------------------

def validation_scatter(table: pd.DataFrame, title: str) -> dict:
    """Published net migration (Stanford AI Index) against talentflow's, one point per country."""
    t = table[(table["metric"] == "net_ai_talent_migration_per_10k") & table["talentflow_value"].notna()]
    v = t["talentflow_value"].astype(float)
    lo = pd.to_numeric(t["talentflow_value_lo"], errors="coerce")
    hi = pd.to_numeric(t["talentflow_value_hi"], errors="coerce")
    return {
        "data": [{"type": "scatter", "mode": "markers", "x": t["published_value"].astype(float).tolist(),
                  "y": v.round(3).tolist(), "text": t["entity"].astype(str).tolist(),
                  "error_y": {"type": "data", "symmetric": False, "array": (hi - v).clip(lower=0).fillna(0).round(3).tolist(),
                              "arrayminus": (v - lo).clip(lower=0).fillna(0).round(3).tolist(), "color": "#aaa",
                              "thickness": 1},
                  "marker": {"color": OKABE_ITO[0], "size": 8},
                  "hovertemplate": "<b>%{text}</b><br>Stanford AI Index: %{x} per 10,000 LinkedIn members"
                                   "<br>talentflow: %{y:.1f} per 10,000 researchers<extra></extra>"}],
        "layout": _layout(title, 440, xaxis={"title": {"text": "Stanford AI Index 2025: net AI talent migration "
                                                                "per 10,000 LinkedIn members (2024)"},
                                             "zeroline": True, "zerolinecolor": "#333", "gridcolor": "#eee"},
                          yaxis={"title": {"text": "talentflow: net rate per 10,000 researchers"}, "zeroline": True,
                                 "zerolinecolor": "#333", "gridcolor": "#eee"}),
    }
