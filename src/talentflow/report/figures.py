"""Plotly figure specifications (plain dicts) built from the read queries' frames. Pure: no I/O.

Colours are colour-blind safe: Okabe-Ito for categories, an orange-white-blue diverging scale
for signed figures (net migration, log RCA), cividis for sequential ones. Every hover text names
the unit and the interval.

A specification may carry a ``narrow`` entry next to ``data`` and ``layout``: overrides the page applies
when the chart is narrower than 600 px (a phone), e.g. codes instead of names as Sankey labels:
``{"layout": {...}, "data": {"<trace index>": {...}}}``, merged key by key into the specification.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
GAIN, LOSS, NEUTRAL = "#0072B2", "#D55E00", "#F7F7F7"
DIVERGING = [[0.0, LOSS], [0.5, NEUTRAL], [1.0, GAIN]]
# Okabe-Ito without its yellow (unreadable as a thin line on white): one distinct colour per named series;
# what does not get one (the 8th and later) is grouped as OTHER, never given a repeated colour
SERIES = [c for c in OKABE_ITO if c != "#F0E442"]
OTHER = "#8f8f8f"
SCENARIO_TOP = 6
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def _layout(title: str, height: int = 420, **extra) -> dict:
    """The common layout. The title sits above the plot area and pushes the top margin (automargin with
    ``yref='paper'``: plotly keeps it clear of the plot area, tick labels and axis titles, however many lines
    it has), so an axis title can never run into it; ``extra`` replaces top-level keys."""
    out = {"title": {"text": title, "x": 0.01, "xanchor": "left", "xref": "container", "y": 1, "yanchor": "bottom",
                     "yref": "paper", "pad": {"b": 14}, "automargin": True, "font": {"size": 15}},
           "height": height, "margin": {"l": 60, "r": 20, "t": 50, "b": 40},
           "font": {"family": FONT, "size": 12, "color": "#222"},
           "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "hoverlabel": {"font": {"family": FONT}}}
    out.update(extra)
    return out


def _axis(title: str | None = None, **extra) -> dict:
    """An axis whose title keeps its distance from the tick labels (standoff) and whose margin grows to fit
    the tick labels and the title (automargin), instead of the title overlapping them."""
    out = {"automargin": True, "gridcolor": "#eee"}
    if title:
        out["title"] = {"text": title, "standoff": 10}
    out.update(extra)
    return {k: v for k, v in out.items() if v is not None}


def _bottom_legend() -> dict:
    """A horizontal legend at the bottom of the figure (container coordinates): below the x-axis title, never
    on it; the bottom margin grows to fit its rows."""
    return {"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom", "yref": "container",
            "font": {"size": 11}}


def fmt(value, digits: int = 1) -> str:
    """A number for people: thousands separators, a fixed number of decimals, '–' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer() and abs(value) >= 100):
        return f"{int(round(float(value))):,}"
    out = f"{float(value):,.{digits}f}"
    return out[1:] if out.startswith("-") and not out.strip("-0.,") else out  # -0.3 to 0 digits is 0, not -0


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
        "narrow": {"layout": {"height": 360}},
    }


def _short(label: str, limit: int = 26) -> str:
    """A label cut to ``limit`` characters (with an ellipsis); the full one stays in the hover text."""
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def _short_unique(labels: list[str], limit: int) -> list[str]:
    """``_short`` labels kept distinct (a category axis would merge two equal ones into one bar)."""
    out: list[str] = []
    for x in labels:
        y, i = _short(x, limit), 2
        while y in out:
            y, i = _short(x, limit - 2) + f"{i}", i + 1
        out.append(y)
    return out


def sankey(flows: pd.DataFrame, title: str, origin: str = "origin", destination: str = "destination",
           value: str = "count", origin_label: str | None = None, destination_label: str | None = None,
           n: int = 30, unit: str = "moves") -> dict:
    """Sankey of the ``n`` largest flows; origins on the left, destinations on the right.

    The largest origins get distinct colours, the others grey (no colour means two origins). Nodes are
    spaced so that labels (cut to 26 characters) do not overlap; on a narrow screen (the ``narrow``
    override, applied by the page) the labels are the codes."""
    f = flows.dropna(subset=[value]).sort_values(value, ascending=False).head(n)
    ol = f[origin_label or origin].astype(str).tolist()
    dl = f[destination_label or destination].astype(str).tolist()
    left = list(dict.fromkeys(ol))
    right = list(dict.fromkeys(dl))
    ocode, dcode = dict(zip(ol, f[origin].astype(str))), dict(zip(dl, f[destination].astype(str)))
    labels = [f"{_short(x)} ▸" for x in left] + [f"▸ {_short(x)}" for x in right]
    full = left + right
    out_total = f.groupby(ol, sort=False)[value].sum() if len(f) else pd.Series(dtype=float)
    rank = {k: i for i, k in enumerate(sorted(left, key=lambda k: -float(out_total.get(k, 0))))}
    colours = [SERIES[rank[x]] if rank[x] < len(SERIES) else OTHER for x in left] + ["#777777"] * len(right)
    src = [left.index(o) for o in ol]
    dst = [len(left) + right.index(d) for d in dl]
    link_colours = [_alpha(colours[s_], 0.45) for s_ in src]
    nodes = max(len(left), len(right), 1)
    return {
        "data": [{"type": "sankey", "arrangement": "snap",
                  "node": {"label": labels, "color": colours, "pad": 16, "thickness": 14, "customdata": full,
                           "line": {"color": "#555", "width": 0.3},
                           "hovertemplate": f"%{{customdata}}<br>%{{value:,}} {unit}<extra></extra>"},
                  "link": {"source": src, "target": dst, "value": f[value].astype(float).tolist(),
                           "color": link_colours,
                           "hovertemplate": f"%{{source.customdata}} → %{{target.customdata}}<br>%{{value:,}} {unit}"
                                            "<extra></extra>"},
                  "textfont": {"size": 12}}],
        "layout": _layout(title, max(380, 30 * nodes + 110), margin={"l": 10, "r": 10, "t": 50, "b": 20}),
        "narrow": {"data": {"0": {"node": {"label": [f"{_short(ocode[x], 12)} ▸" for x in left] +
                                                    [f"▸ {_short(dcode[x], 12)}" for x in right], "pad": 10},
                                  "textfont": {"size": 11}}},
                   "layout": {"height": max(340, 24 * nodes + 100)}},
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
                          xaxis=_axis(f"net migration rate ({unit}), 95% interval", zeroline=True, zerolinecolor="#333"),
                          yaxis=_axis(gridcolor="#f5f5f5"), margin={"l": 20, "r": 20, "t": 50, "b": 20}),
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
            "layout": _layout(title, max(320, 22 * len(f) + 100), xaxis=_axis(xtitle or unit),
                              yaxis=_axis(gridcolor=None), margin={"l": 20, "r": 20, "t": 50, "b": 20}),
            # on a phone long names (organizations) would leave no room for the bars: cut them (full in the hover)
            "narrow": {"data": {"0": {"y": _short_unique(data["y"], 20)}}, "layout": {"yaxis": {"tickfont": {"size": 10}}}}}


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
        "layout": _layout(title, max(420, 22 * len(m.index) + 180), xaxis=_axis(tickangle=-35, gridcolor=None),
                          yaxis=_axis(autorange="reversed", gridcolor=None), margin={"l": 20, "r": 20, "t": 50, "b": 20}),
        # on a phone the colour bar goes to the bottom of the figure: right under the plot it would cover the
        # slanted field names
        "narrow": {"data": {"0": {"colorbar": {"yref": "container", "y": 0.005, "yanchor": "bottom", "len": 0.7,
                                               "title": {"side": "right"}}}},
                   "layout": {"xaxis": {"tickfont": {"size": 9}}, "yaxis": {"tickfont": {"size": 10}}}},
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


def _scenario_top(series: pd.DataFrame, variable: str, n: int) -> tuple[list[str], list[str]]:
    """The ``n`` countries with the largest effect (max |scenario - baseline| over the years) first, and the
    rest; ties by name. One more than ``n`` is shown by name rather than as an 'other' band of one. The
    effect on the stock ranks them when there is one, so that every chart of a scenario names the same
    countries in the same colours."""
    s = series[series["variable"] == ("stock" if (series["variable"] == "stock").any() else variable)]
    size = s.assign(_e=s["difference"].abs()).groupby("name")["_e"].max().fillna(0)
    size = size.reindex(sorted(set(series.loc[series["variable"] == variable, "name"]))).fillna(0)
    order = sorted(size.index, key=lambda k: (-float(size[k]), str(k)))
    if len(order) <= n + 1:
        return order, []
    return order[:n], order[n:]


def _other_band(s: pd.DataFrame, others: list[str], column: str, label: str) -> list[dict]:
    """The range (lowest to highest median) of the ``others`` countries, per year, as one grey band with a
    legend entry, so that 30 countries do not need 30 colours."""
    o = s[s["name"].isin(others)].groupby("year")[column].agg(["min", "max"]).sort_index()
    years = [int(y) for y in o.index]
    lo, hi = o["min"].round(2).tolist(), o["max"].round(2).tolist()
    return [{"type": "scatter", "x": years + years[::-1], "y": hi + lo[::-1], "fill": "toself",
             "fillcolor": _alpha(OTHER, 0.28), "line": {"color": OTHER, "width": 0.5}, "hoverinfo": "skip",
             "name": f"other {len(others)} countries ({label})", "legendgroup": "other", "showlegend": True,
             "legendrank": 2000},
            {"type": "scatter", "mode": "lines", "x": years, "y": hi, "line": {"width": 0}, "showlegend": False,
             "legendgroup": "other", "customdata": lo,
             "hovertemplate": f"other {len(others)} countries<br>%{{x}}: %{{customdata:,.0f}} to %{{y:,.0f}} "
                              "researchers<extra></extra>"}]


# on a phone the title wraps and the legend takes rows: a taller figure and a y-axis title that fits the plot
_SCENARIO_NARROW = {"layout": {"height": 540, "yaxis": {"title": {"text": "researchers"}}}}


def _scenario_layout(title: str, height: int, ytitle: str, **axis) -> dict:
    return _layout(title, height, xaxis=_axis("year", dtick=2), yaxis=_axis(ytitle, **axis),
                   legend=_bottom_legend(), margin={"l": 20, "r": 20, "t": 50, "b": 20})


def scenario_lines(series: pd.DataFrame, title: str, variable: str, n: int = SCENARIO_TOP) -> dict:
    """Baseline (dotted) and counterfactual (solid) medians with bands for the ``n`` countries with the
    largest effect, one distinct colour each; the other countries as one grey band (range of their
    counterfactual medians)."""
    data = []
    s = series[series["variable"] == variable]
    top, others = _scenario_top(series, variable, n)
    if others:
        data.extend(_other_band(s, others, "counterfactual", "range of scenario medians"))
    for i, country in enumerate(top):
        c = SERIES[i % len(SERIES)]
        g = s[s["name"] == country].sort_values("year")
        years = g["year"].tolist()
        for kind, dash in (("baseline", "dot"), ("counterfactual", "solid")):
            lo, hi = g[f"{kind}_low"].tolist(), g[f"{kind}_high"].tolist()
            data.append(_band(years, lo, hi, _alpha(c, 0.12 if kind == "baseline" else 0.2), f"{country}"))
            data.append({"type": "scatter", "mode": "lines", "x": years, "y": g[kind].round(2).tolist(),
                         "name": country, "legendgroup": f"{country}", "showlegend": kind == "counterfactual",
                         "line": {"color": c, "dash": dash, "width": 2},
                         "hovertemplate": f"{country} {kind}<br>%{{x}}: %{{y:,.0f}} researchers<extra></extra>"})
    return {"data": data, "layout": _scenario_layout(title, 440, f"{variable.replace('_', ' ')} (researchers)"),
            "narrow": _SCENARIO_NARROW}


def scenario_difference(series: pd.DataFrame, title: str, variable: str, n: int = SCENARIO_TOP) -> dict:
    """Scenario minus baseline (same draw) with its band for the ``n`` countries with the largest effect,
    one distinct colour each; the other countries as one grey band (range of their medians)."""
    data = []
    s = series[series["variable"] == variable]
    top, others = _scenario_top(series, variable, n)
    if others:
        data.extend(_other_band(s, others, "difference", "range of medians"))
    for i, country in enumerate(top):
        c = SERIES[i % len(SERIES)]
        g = s[s["name"] == country].sort_values("year")
        years = g["year"].tolist()
        lo, hi = g["difference_low"].tolist(), g["difference_high"].tolist()
        data.append(_band(years, lo, hi, _alpha(c, 0.18), country))
        data.append({"type": "scatter", "mode": "lines+markers", "x": years, "y": g["difference"].round(2).tolist(),
                     "name": country, "legendgroup": country, "line": {"color": c, "width": 2}, "marker": {"size": 4},
                     "customdata": [[fmt(a, 0), fmt(b, 0)] for a, b in zip(lo, hi)],
                     "hovertemplate": f"{country}<br>%{{x}}: %{{y:+,.0f}} researchers "
                                      "[%{customdata[0]}, %{customdata[1]}]<extra></extra>"})
    return {"data": data, "layout": _scenario_layout(title, 440, "researchers, scenario − baseline", zeroline=True,
                                                     zerolinecolor="#333"),
            "narrow": _SCENARIO_NARROW}


# -- collaboration -------------------------------------------------------------------------------------

def _radial_position(angle: float) -> str:
    """Where a label goes beside a node at ``angle`` on a circle: outward (right on the right half, left on
    the left half, above at the top, below at the bottom), so that neighbours' labels do not overlap."""
    c, s_ = math.cos(angle), math.sin(angle)
    if abs(c) < 0.26:
        return "top center" if s_ > 0 else "bottom center"
    return ("middle right" if c > 0 else "middle left") if abs(s_) < 0.87 else \
        (("top right" if c > 0 else "top left") if s_ > 0 else ("bottom right" if c > 0 else "bottom left"))


def network(units: pd.DataFrame, pairs: pd.DataFrame, title: str, n: int = 30) -> dict:
    """The ``n`` largest units on an ellipse (grouped by community), links by co-authored papers. Labels sit
    outside the ellipse, pointing away from it; on a narrow screen they are the unit codes."""
    u = units.dropna(subset=["papers_full"]).sort_values("papers_full", ascending=False).head(n)
    if "community" in u.columns:
        u = u.sort_values(["community", "papers_full"], ascending=[True, False])
    keys = u["unit"].tolist()
    angle = {k: math.pi / 2 - 2 * math.pi * i / max(len(keys), 1) for i, k in enumerate(keys)}
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
                 "y": [pos[k][1] for k in keys], "text": [_short(x, 22) for x in names],
                 "textposition": [_radial_position(angle[k]) for k in keys], "textfont": {"size": 11},
                 "cliponaxis": False,
                 "marker": {"size": (8 + 26 * np.sqrt(size / size.max())).round(1).tolist() if len(size) else [],
                            "color": [SERIES[c % len(SERIES)] for c in comm], "line": {"color": "#333", "width": 0.5}},
                 "customdata": [[fmt(a, 0), fmt(b * 100 if b == b else None, 0), c, nm]
                                for a, b, c, nm in zip(size, _col(u, "external_share"), comm, names)],
                 "hovertemplate": "<b>%{customdata[3]}</b><br>%{customdata[0]} papers · %{customdata[1]}% with foreign "
                                  "co-authors<br>community %{customdata[2]}<extra></extra>", "showlegend": False})
    return {"data": data,
            "layout": _layout(title, 620, xaxis={"visible": False, "range": [-1.55, 1.55], "fixedrange": True},
                              yaxis={"visible": False, "range": [-1.18, 1.18], "fixedrange": True},
                              margin={"l": 10, "r": 10, "t": 50, "b": 10}, hovermode="closest"),
            "narrow": {"data": {str(len(data) - 1): {"text": keys, "textfont": {"size": 10}}},
                       "layout": {"height": 440, "xaxis": {"range": [-1.35, 1.35]}}}}


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
        "layout": _layout(title, 440, xaxis=_axis("Stanford AI Index 2025: net AI talent migration "
                                                  "per 10,000 LinkedIn members (2024)", zeroline=True, zerolinecolor="#333"),
                          yaxis=_axis("talentflow: net per 10,000 researchers", zeroline=True, zerolinecolor="#333"),
                          margin={"l": 20, "r": 20, "t": 50, "b": 20}),
    }
