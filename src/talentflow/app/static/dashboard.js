/* talentflow dashboard: filters -> JSON API -> charts and tables. The URL keeps the view state. */
(function () {
  "use strict";
  var API = "/api/v1";
  var KEYS = ["level", "year_from", "year_to", "region", "panel", "country"];
  var DEFAULTS = {level: "country", panel: "all"};
  var GAIN = "#0072B2", LOSS = "#D55E00", NEUTRAL = "#F7F7F7";
  var OKABE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
  var SERIES = OKABE.filter(function (c) { return c !== "#F0E442"; }), OTHER = "#8f8f8f";  // no repeated colours
  var DIVERGING = [[0, LOSS], [0.5, NEUTRAL], [1, GAIN]];
  var nf0 = new Intl.NumberFormat("en", {maximumFractionDigits: 0});
  var nf1 = new Intl.NumberFormat("en", {minimumFractionDigits: 1, maximumFractionDigits: 1});
  var nf2 = new Intl.NumberFormat("en", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  var state = {};
  var meta = null;
  var seq = 0;

  function $(id) { return document.getElementById(id); }
  function fmt(v, d) {
    if (v === null || v === undefined || Number.isNaN(v)) { return "–"; }
    return (d === 0 ? nf0 : d === 2 ? nf2 : nf1).format(v);
  }
  function ci(lo, hi, d) { return (lo === null || hi === null || lo === undefined || hi === undefined) ? "" : "[" + fmt(lo, d) + ", " + fmt(hi, d) + "]"; }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }
  function plotConfig(name) {
    return {responsive: true, displaylogo: false, topojsonURL: "data:,",
      toImageButtonOptions: {format: "png", filename: name, scale: 2},
      modeBarButtonsToRemove: ["lasso2d", "select2d"],
      modeBarButtonsToAdd: [{name: "Download plot as SVG",
        icon: {width: 1000, height: 1000, path: "M500 0L150 400h220v350h260V400h220zM100 850h800v150H100z", transform: "matrix(1 0 0 -1 0 1000)"},
        click: function (gd) { Plotly.downloadImage(gd, {format: "svg", filename: name}); }}]};
  }
  function layout(extra) {
    var base = {margin: {l: 50, r: 10, t: narrow() ? 30 : 10, b: 30}, height: 380, paper_bgcolor: "#fff", plot_bgcolor: "#fff",
      font: {family: "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif", size: narrow() ? 11 : 12, color: "#222"}};
    Object.keys(extra || {}).forEach(function (k) { base[k] = extra[k]; });
    if (narrow()) { base.margin = Object.assign({}, base.margin, {t: Math.max(base.margin.t || 0, 30)}); }  // room for the toolbar
    return base;
  }
  // A phone: charts get codes or shortened labels, a colour bar under the chart, heights that fit the width.
  var NARROW = 640;
  function narrow() { return window.innerWidth < NARROW; }
  function short(label, n) { label = String(label); return label.length <= n ? label : label.slice(0, n - 1).trim() + "…"; }
  function colorbar(title, above) {  // above: over the plot (a heatmap's tick labels are under it)
    return narrow() ? {title: {text: title, side: above ? "right" : "top"}, orientation: "h", x: 0.5, xanchor: "center",
                       y: above ? 1.01 : -0.02, yanchor: above ? "bottom" : "top", thickness: 9, len: above ? 0.7 : 0.9}
                    : {title: {text: title}, thickness: 10, len: 0.8};
  }
  // Labels beside nodes on a circle point outward, so that neighbours' labels do not overlap.
  function radial(t) {
    var c = Math.cos(t), s = Math.sin(t);
    if (Math.abs(c) < 0.26) { return s > 0 ? "top center" : "bottom center"; }
    if (Math.abs(s) < 0.87) { return c > 0 ? "middle right" : "middle left"; }
    return (s > 0 ? "top " : "bottom ") + (c > 0 ? "right" : "left");
  }

  // -- state and URL -------------------------------------------------------------------------------
  function readUrl() {
    var p = new URLSearchParams(window.location.search);
    state = {};
    KEYS.forEach(function (k) { var v = p.get(k); if (v !== null && v !== "") { state[k] = v; } });
    Object.keys(DEFAULTS).forEach(function (k) { if (!state[k]) { state[k] = DEFAULTS[k]; } });
  }
  function writeUrl() {
    var p = new URLSearchParams();
    KEYS.forEach(function (k) { if (state[k] && state[k] !== DEFAULTS[k]) { p.set(k, state[k]); } });
    var qs = p.toString();
    window.history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
  }
  function syncForm() {
    KEYS.forEach(function (k) { var input = $("f-" + k); if (input) { input.value = state[k] || ""; } });
  }
  function params(extra, keys) {
    var p = new URLSearchParams();
    (keys || ["level", "year_from", "year_to", "region", "panel"]).forEach(function (k) { if (state[k]) { p.set(k, state[k]); } });
    Object.keys(extra || {}).forEach(function (k) { p.set(k, extra[k]); });
    return p;
  }
  function url(path, extra, keys) { return API + path + "?" + params(extra, keys).toString(); }

  async function get(path, extra, keys) {
    var res = await fetch(url(path, extra, keys), {headers: {Accept: "application/json"}});
    var body = await res.json().catch(function () { return {detail: res.statusText}; });
    if (!res.ok) {
      var d = body.detail;
      var msg = Array.isArray(d) ? d.map(function (x) { return x.parameter + ": " + x.message; }).join("; ") : String(d);
      throw new Error(msg || ("HTTP " + res.status));
    }
    return body;
  }

  // -- rendering helpers ---------------------------------------------------------------------------
  function empty(target, missing) {
    target.innerHTML = "";
    target.dataset.state = "missing";
    var box = el("div", {"class": "empty", role: "status"});
    box.appendChild(el("strong", {}, "Not computed yet. "));
    box.appendChild(document.createTextNode(missing.what + " are not in this warehouse. Produce them with "));
    box.appendChild(el("code", {}, missing.command));
    box.appendChild(document.createTextNode(", then reload."));
    target.appendChild(box);
  }
  function note(target, text) {
    if (target.data) { Plotly.purge(target); }
    target.innerHTML = "";
    target.dataset.state = "empty";
    target.appendChild(el("div", {"class": "empty", role: "status"}, text));
  }
  function plot(target, data, lay, name) {
    target.innerHTML = "";
    target.dataset.state = "ok";
    return Plotly.react(target, data, layout(lay), plotConfig(name)).then(function () {
      target.dataset.rendered = String(Number(target.dataset.rendered || 0) + 1);
    });
  }
  function table(target, cols, rows, onClick) {
    target.innerHTML = "";
    var thead = el("thead"), tr = el("tr");
    cols.forEach(function (c) {
      var th = el("th", c.tip ? {title: c.tip} : {}, c.label);
      if (c.num) { th.className = "num"; }
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    target.appendChild(thead);
    var tbody = el("tbody");
    if (!rows.length) {
      var r0 = el("tr"), td0 = el("td", {colspan: String(cols.length)}, "No rows reach the suppression threshold in this selection.");
      r0.appendChild(td0); tbody.appendChild(r0);
    }
    rows.forEach(function (row) {
      var r = el("tr");
      cols.forEach(function (c) {
        var td = el("td", {}, c.value(row));
        if (c.num) { td.className = "num"; }
        r.appendChild(td);
      });
      if (onClick) {
        r.className = "clickable" + (row.country && row.country === state.country ? " selected" : "");
        r.tabIndex = 0;
        r.addEventListener("click", function () { onClick(row); });
        r.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { onClick(row); } });
      }
      tbody.appendChild(r);
    });
    target.appendChild(tbody);
    target.dataset.rows = String(rows.length);
    target.dataset.version = String(Number(target.dataset.version || 0) + 1);
  }

  // -- sections ------------------------------------------------------------------------------------
  function renderHeadline(body) {
    var box = $("headline");
    box.innerHTML = "";
    if (body.missing) { empty(box, body.missing); return; }
    body.data.forEach(function (h) {
      var card = el("div", {"class": "card", title: h.definition});
      card.appendChild(el("div", {"class": "label"}, h.figure));
      // counts (researchers, moves) are whole numbers; shares two decimals; rates one
      var d = (h.unit === "researchers" || h.unit === "moves") ? 0 :
        (h.unit.indexOf("%") >= 0 ? 2 : (Math.abs(h.value) >= 100 ? 0 : 1));
      card.appendChild(el("div", {"class": "value"}, fmt(h.value, d)));
      card.appendChild(el("div", {"class": "unit"}, h.unit));
      if (h.lo !== null && h.hi !== null) { card.appendChild(el("div", {"class": "ci"}, "95% interval " + ci(h.lo, h.hi, d))); }
      box.appendChild(card);
    });
  }

  function renderMap(body) {
    var target = $("map");
    if (body.missing) { empty(target, body.missing); return; }
    var rows = body.data.filter(function (r) { return r.net_rate !== null; });
    if (!rows.length) { note(target, "No country reaches the suppression threshold in this selection."); return; }
    var abs = rows.map(function (r) { return Math.abs(r.net_rate); }).sort(function (a, b) { return a - b; });
    var cap = abs[Math.floor(0.95 * (abs.length - 1))] || 1;
    var text = rows.map(function (r) {
      return "<b>" + r.name + "</b><br>net rate " + fmt(r.net_rate) + " per 1,000 " + ci(r.net_rate_lo, r.net_rate_hi) +
        "<br>in " + fmt(r.inflows, 0) + " · out " + fmt(r.outflows, 0) + " moves<br>" + fmt(r.population, 0) + " person-years";
    });
    return plot(target, [{type: "choropleth", locationmode: "ISO-3", locations: rows.map(function (r) { return r.country; }),
      z: rows.map(function (r) { return r.net_rate; }), zmin: -cap, zmax: cap, zmid: 0, colorscale: DIVERGING, text: text,
      hovertemplate: "%{text}<extra></extra>", marker: {line: {color: "#999", width: 0.4}},
      colorbar: colorbar("net per<br>1,000")}],
      {margin: {l: 0, r: 0, t: narrow() ? 30 : 0, b: 0}, height: narrow() ? 330 : 380, geo: {scope: "world", resolution: 110, showframe: false, showland: true,
        landcolor: "#e9e9e9", showcountries: true, countrycolor: "#bbb", projection: {type: "natural earth", rotation: {lon: 0}},
        lonaxis: {range: [-180, 180]}, lataxis: {range: [-58, 85]}, center: {lon: 0, lat: 15}}}, "net_migration_map")
      .then(function () {
        target.removeAllListeners && target.removeAllListeners("plotly_click");
        target.on("plotly_click", function (ev) { var p = ev.points && ev.points[0]; if (p && p.location) { setCountry(p.location); } });
      });
  }

  function renderSankey(body) {
    var target = $("sankey");
    $("sankey-title").textContent = "Largest flows (" + $("f-level").selectedOptions[0].textContent.toLowerCase() + " level)";
    if (body.missing) { empty(target, body.missing); return; }
    var rows = body.data.slice(0, 30);
    if (!rows.length) { return explainNoFlows(target, body); }
    var on = function (r) { return r.origin_name || r.origin; };
    var dn = function (r) { return r.destination_name || r.destination; };
    var left = [], right = [], code = {};
    rows.forEach(function (r) {
      if (left.indexOf(on(r)) < 0) { left.push(on(r)); code["o" + on(r)] = r.origin; }
      if (right.indexOf(dn(r)) < 0) { right.push(dn(r)); code["d" + dn(r)] = r.destination; }
    });
    // on a phone the codes (ISO3 for countries), else names cut to 26 characters; the full name is in the hover
    var lab = function (x, k) { return narrow() ? short(code[k + x], 12) : short(x, 26); };
    var labels = left.map(function (x) { return lab(x, "o") + " ▸"; }).concat(right.map(function (x) { return "▸ " + lab(x, "d"); }));
    // the largest origins get distinct colours, the others grey: a colour never stands for two origins
    var out = {};
    rows.forEach(function (r) { out[on(r)] = (out[on(r)] || 0) + r.count; });
    var byOut = left.slice().sort(function (a, b) { return out[b] - out[a]; });
    var colours = left.map(function (x) { var i = byOut.indexOf(x); return i < SERIES.length ? SERIES[i] : OTHER; })
      .concat(right.map(function () { return "#777"; }));
    var src = rows.map(function (r) { return left.indexOf(on(r)); });
    var n = Math.max(left.length, right.length);
    return plot(target, [{type: "sankey", arrangement: "snap", textfont: {size: narrow() ? 11 : 12},
      node: {label: labels, customdata: left.concat(right), color: colours, pad: narrow() ? 10 : 14, thickness: 12,
        hovertemplate: "%{customdata}<br>%{value:,} moves<extra></extra>"},
      link: {source: src, target: rows.map(function (r) { return left.length + right.indexOf(dn(r)); }),
        value: rows.map(function (r) { return r.count; }),
        color: src.map(function (s) { return hexA(colours[s], 0.45); }),
        hovertemplate: "%{source.customdata} → %{target.customdata}<br>%{value:,} moves<extra></extra>"}}],
      {height: Math.max(narrow() ? 320 : 380, (narrow() ? 22 : 28) * n + 60), margin: {l: 10, r: 10, t: narrow() ? 30 : 10, b: 10}},
      "flows_sankey");
  }

  // -- an empty flow selection says why and what to change ---------------------------------------------
  function moves(n) { return fmt(n, 0) + (Number(n) === 1 ? " move" : " moves"); }
  var LEVEL_WORDS = {country: "country", region: "world-region", hub: "AI-hub", org: "organization"};
  function selectionWords(f) {
    var years = meta && meta.years ? meta.years : [null, null];
    var from = f.year_from || years[0], to = f.year_to || years[1];
    var parts = [(LEVEL_WORDS[f.level] || f.level) + " level",
                 (from && to) ? "in " + (String(from) === String(to) ? from : from + "–" + to) : "in all years"];
    if (f.region) { parts.push("in or out of " + f.region); }
    if (state.country && f.level === "country") { parts.push("to or from " + ($("f-country").selectedOptions[0] || {}).textContent); }
    if (f.panel && f.panel !== "all") { parts.push("for the " + $("f-panel").selectedOptions[0].textContent + " panel"); }
    return parts.join(" ");
  }
  // Changes that could show flows, nearest first; each is probed (one row) and offered only if it has some.
  function alternatives(f) {
    var years = meta && meta.years ? meta.years : [];
    var out = [];
    if (f.level !== "country") {
      out.push({label: "choose Country level", change: {level: "country"}});
    }
    if ((f.year_from && f.year_from > years[0]) || (f.year_to && f.year_to < years[1])) {
      out.push({label: "widen the period to " + years[0] + "–" + years[1], change: {year_from: "", year_to: ""}});
    }
    if (f.region) { out.push({label: "choose All regions", change: {region: ""}}); }
    if (f.panel && f.panel !== "all") { out.push({label: "choose All researchers", change: {panel: "all"}}); }
    if (state.country && f.level === "country") { out.push({label: "clear the country", change: {country: ""}}); }
    return out;
  }
  function explainNoFlows(target, body) {
    var f = body.filters || state, minCell = f.min_cell || (meta && meta.min_cell) || 10;
    var why = "No flow of at least " + moves(minCell) + " at " + selectionWords(f) + ". Flows of fewer moves are " +
      "suppressed so that no small group of people can be picked out" +
      (f.level === "org" || f.level === "hub" ? "; between single organizations or hubs few flows reach that size." : ".");
    note(target, why);
    var box = target.firstChild;
    box.classList.add("explain");
    box.dataset.why = "no-flows";
    var alts = alternatives(f), mine = seq;
    if (!alts.length) { box.appendChild(el("p", {}, "No nearby selection to suggest: every filter is already at its widest.")); return; }
    var tail = el("p", {"class": "alts"}, "Checking what would show flows…");
    box.appendChild(tail);
    return Promise.all(alts.map(function (a) {
      var probe = Object.assign({}, state, a.change);
      var keys = ["level", "year_from", "year_to", "region", "panel", "country"];
      var p = new URLSearchParams();
      keys.forEach(function (k) { if (probe[k]) { p.set(k, probe[k]); } });
      p.set("page_size", "1");
      return fetch(API + "/flows?" + p.toString(), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {total: 0}; }).catch(function () { return {total: 0}; })
        .then(function (b) { a.total = b.total || 0; return a; });
    })).then(function (res) {
      if (mine !== seq || !tail.isConnected) { return; }
      var good = res.filter(function (a) { return a.total > 0; });
      tail.textContent = "";
      if (!good.length) {
        tail.textContent = "None of the nearby selections (" + alts.map(function (a) { return a.label; }).join("; ") +
          ") has such a flow either.";
        return;
      }
      tail.appendChild(document.createTextNode("To see flows: "));
      good.forEach(function (a, i) {
        if (i) { tail.appendChild(document.createTextNode(" or ")); }
        var b = el("button", {type: "button", "class": "linkish"}, a.label + " (" + fmt(a.total, 0) + " flows)");
        b.addEventListener("click", function () { Object.assign(state, a.change); syncForm(); refresh(); });
        tail.appendChild(b);
      });
      tail.appendChild(document.createTextNode("."));
    });
  }
  function hexA(h, a) {
    var n = parseInt(h.slice(1), 16);
    return "rgba(" + ((n >> 16) & 255) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + a + ")";
  }

  function renderRanking(body) {
    var target = $("ranking");
    $("ranking-csv").href = url("/rates", {format: "csv"}, ["year_from", "year_to", "region", "panel"]);
    $("ranking-empty").innerHTML = "";
    if (body.missing) { target.innerHTML = ""; empty($("ranking-empty"), body.missing); return; }
    var ranked = body.data.filter(function (r) { return !r.status || r.status === "estimated"; });
    table(target, [
      {label: "#", num: true, value: function (r) { return String(r._rank); }},
      {label: "Country", value: function (r) { return r.name; }},
      {label: "Person-years", num: true, tip: "Researchers resident in the country, summed over the years", value: function (r) { return fmt(r.population, 0); }},
      {label: "In", num: true, tip: "Moves into the country", value: function (r) { return fmt(r.inflows, 0); }},
      {label: "Out", num: true, tip: "Moves out of the country", value: function (r) { return fmt(r.outflows, 0); }},
      {label: "Net rate", num: true, tip: "(in - out) per 1,000 person-years", value: function (r) { return fmt(r.net_rate); }},
      {label: "95% interval", num: true, tip: "Bootstrap over researchers", value: function (r) { return ci(r.net_rate_lo, r.net_rate_hi); }}
    ], ranked.map(function (r, i) { r._rank = i + 1; return r; }), function (r) { setCountry(r.country); });
    // no evidence is not zero: countries without an observed move, or with suppressed counts, are named, not ranked
    var left = body.data.filter(function (r) { return r.status && r.status !== "estimated"; });
    if (left.length) {
      var none = left.filter(function (r) { return r.status !== "suppressed"; }).length;
      $("ranking-empty").appendChild(el("p", {"class": "hint", "data-left-out": String(left.length)},
        "Not ranked: " + none + " countries with no observed move (no evidence, not a rate of zero) and " +
        (left.length - none) + " with 1 to " + (meta.min_cell - 1) + " moves in or out (suppressed); the CSV lists them with their status."));
    }
  }

  function renderFlows(body) {
    var target = $("flows");
    $("flows-csv").href = url("/flows", {format: "csv"}, ["level", "year_from", "year_to", "region", "panel", "country"]);
    $("flows-title").textContent = "Top origin → destination pairs" + (state.country && state.level === "country" ? " of " + state.country : "");
    $("flows-empty").innerHTML = "";
    if (body.missing) { target.innerHTML = ""; empty($("flows-empty"), body.missing); return; }
    if (body.notice) {  // organization and hub flows: why they do not add up to country flows
      $("flows-empty").appendChild(el("p", {"class": "hint", "data-notice": "1"}, body.notice));
    }
    if (!body.data.length) {
      target.innerHTML = ""; target.dataset.rows = "0"; target.dataset.version = String(Number(target.dataset.version || 0) + 1);
      $("flows-count").textContent = "";
      var msg = el("div");
      $("flows-empty").appendChild(msg);
      note(msg, "No flow of at least " + moves((body.filters || {}).min_cell || meta.min_cell) + " at " +
        selectionWords(body.filters || state) + "; \u201cLargest flows\u201d says what to change.");
      return;
    }
    table(target, [
      {label: "From", value: function (r) { return r.origin_name || r.origin; }},
      {label: "To", value: function (r) { return r.destination_name || r.destination; }},
      {label: "Moves", num: true, tip: "Moves over the selected years", value: function (r) { return fmt(r.count, 0); }}
    ], body.data.slice(0, 50));
    $("flows-count").textContent = fmt(body.total, 0) + " flows in this selection.";
  }

  function renderOrgs(body) {
    var target = $("orgs");
    if (body.missing) { empty(target, body.missing); return; }
    var rows = body.data.filter(function (r) { return r.foreign_share !== null; }).slice(0, 20).reverse();
    if (!rows.length) { note(target, "No organization reaches the suppression threshold in this selection."); return; }
    var v = rows.map(function (r) { return 100 * r.foreign_share; });
    var nameLen = narrow() ? 18 : 40;
    return plot(target, [{type: "bar", orientation: "h", x: v, y: rows.map(function (r) { return short(r.organization, nameLen - 6) + (r.country ? " · " + r.country : ""); }),
      marker: {color: GAIN},
      error_x: {type: "data", symmetric: false, color: "#333", thickness: 1.2, width: 3,
        array: rows.map(function (r, i) { return Math.max(0, 100 * r.foreign_share_hi - v[i]); }),
        arrayminus: rows.map(function (r, i) { return Math.max(0, v[i] - 100 * r.foreign_share_lo); })},
      text: rows.map(function (r) { return "<b>" + r.organization + (r.country ? " in " + r.country : "") + "</b><br>" + fmt(100 * r.foreign_share, 0) + "% foreign-origin " +
        ci(100 * r.foreign_share_lo, 100 * r.foreign_share_hi, 0) + "<br>" + fmt(r.researchers, 0) + " researchers"; }),
      textposition: "none", hovertemplate: "%{text}<extra></extra>"}],
      {margin: {l: 10, r: 10, t: narrow() ? 30 : 10, b: 10}, height: Math.max(360, 20 * rows.length + 70),
       xaxis: {title: {text: narrow() ? "foreign-origin share (%)" : "foreign-origin share (%), 95% interval", standoff: 8},
               gridcolor: "#eee", automargin: true},
       yaxis: {automargin: true, tickfont: {size: narrow() ? 10 : 12}}}, "foreign_origin_shares");
  }

  function renderSpec(body) {
    var target = $("spec");
    if (body.missing) { empty(target, body.missing); return; }
    var rows = body.data;
    if (!rows.length) { note(target, "No specialization cell reaches the suppression threshold in this selection."); return; }
    var size = {};
    rows.forEach(function (r) { if (r.region_total !== null) { size[r.region_name] = Math.max(size[r.region_name] || 0, r.region_total); } });
    var regions = Object.keys(size).sort(function (a, b) { return size[b] - size[a]; }).slice(0, 20);
    var fields = [];
    rows.forEach(function (r) { if (fields.indexOf(r.field_label) < 0) { fields.push(r.field_label); } });
    var z = regions.map(function (reg) {
      return fields.map(function (f) {
        var hit = rows.find(function (r) { return r.region_name === reg && r.field_label === f; });
        return hit && hit.rca > 0 ? Math.log2(hit.rca) : null;
      });
    });
    var text = z.map(function (row) { return row.map(function (v) { return v === null ? "suppressed or none" : "RCA " + fmt(Math.pow(2, v), 2); }); });
    // labels cut to fit (full names in the hover); the margins grow to the labels instead of clipping them
    var n = narrow(), fl = n ? 14 : 28, rl = n ? 14 : 24;
    var custom = regions.map(function (reg) { return fields.map(function (f) { return [reg, f]; }); });
    return plot(target, [{type: "heatmap", z: z, x: fields.map(function (f) { return short(f, fl); }),
      y: regions.map(function (r) { return short(r, rl); }), text: text, customdata: custom, zmid: 0, zmin: -3, zmax: 3,
      colorscale: DIVERGING, xgap: 1, ygap: 1, hovertemplate: "%{customdata[0]} · %{customdata[1]}<br>%{text}<extra></extra>",
      colorbar: colorbar("log2 RCA", true)}],
      {margin: {l: 10, r: 10, t: n ? 30 : 10, b: 10}, height: Math.max(n ? 420 : 380, 20 * regions.length + (n ? 230 : 170)),
       xaxis: {tickangle: -40, automargin: true, tickfont: {size: n ? 9 : 11}},
       yaxis: {autorange: "reversed", automargin: true, tickfont: {size: n ? 10 : 12}}}, "specialization_heatmap");
  }

  function renderCollab(body) {
    var target = $("collab");
    if (body.missing) { empty(target, body.missing); return; }
    var pairs = {};
    body.data.forEach(function (r) {
      if (r.papers_full === null || r.papers_full === undefined) { return; }
      var k = r.unit_a < r.unit_b ? r.unit_a + "|" + r.unit_b : r.unit_b + "|" + r.unit_a;
      var p = pairs[k] || (pairs[k] = {a: r.unit_a, b: r.unit_b, papers: 0, salton: []});
      p.papers += r.papers_full;
      if (r.salton !== null && r.salton !== undefined) { p.salton.push(r.salton); }
    });
    var top = Object.keys(pairs).map(function (k) { return pairs[k]; })
      .sort(function (x, y) { return y.papers - x.papers; }).slice(0, 40);
    if (!top.length) { note(target, "No co-authored papers between countries in this selection."); return; }
    var weight = {};
    top.forEach(function (p) { weight[p.a] = (weight[p.a] || 0) + p.papers; weight[p.b] = (weight[p.b] || 0) + p.papers; });
    var nodes = Object.keys(weight).sort(function (x, y) { return weight[y] - weight[x]; });
    var pos = {}, where = {};
    nodes.forEach(function (n, i) {
      var t = Math.PI / 2 - 2 * Math.PI * i / nodes.length;  // the largest at the top, clockwise
      pos[n] = [Math.cos(t), Math.sin(t)];
      where[n] = radial(t);
    });
    var maxPapers = top[0].papers, maxWeight = weight[nodes[0]];
    var traces = top.map(function (p) {
      var s = p.salton.length ? p.salton.reduce(function (u, v) { return u + v; }, 0) / p.salton.length : null;
      return {type: "scatter", mode: "lines", x: [pos[p.a][0], pos[p.b][0]], y: [pos[p.a][1], pos[p.b][1]],
        line: {width: 0.5 + 7 * p.papers / maxPapers, color: "rgba(0,114,178,0.45)"}, hoverinfo: "text",
        text: p.a + " – " + p.b + ": " + fmt(p.papers, 0) + " papers" + (s === null ? "" : "; Salton " + fmt(s, 2)),
        showlegend: false};
    });
    traces.push({type: "scatter", mode: "markers+text", x: nodes.map(function (n) { return pos[n][0]; }),
      y: nodes.map(function (n) { return pos[n][1]; }), text: nodes, textposition: nodes.map(function (n) { return where[n]; }),
      textfont: {size: narrow() ? 10 : 11}, cliponaxis: false,
      marker: {size: nodes.map(function (n) { return 8 + 22 * Math.sqrt(weight[n] / maxWeight); }), color: "#E69F00",
               line: {color: "#000", width: 0.5}},
      hovertemplate: "%{text}<extra></extra>", showlegend: false});
    var w = target.clientWidth || window.innerWidth;
    return plot(target, traces, {height: Math.min(560, Math.max(320, w + 20)), margin: {l: 10, r: 10, t: narrow() ? 30 : 10, b: 10},
      xaxis: {visible: false, range: [-1.35, 1.35], fixedrange: true}, yaxis: {visible: false, range: [-1.25, 1.25],
      scaleanchor: "x", fixedrange: true},
      hovermode: "closest"}, "coauthorship_network");
  }

  function renderDrill(body) {
    var section = $("drill"), box = $("drill-body");
    if (!state.country) { section.hidden = true; return; }
    section.hidden = false;
    box.innerHTML = "";
    if (!body) { return; }
    var s = body.data.summary;
    var rate = body.data.rates && body.data.rates[0];
    $("drill-title").textContent = s.name + " (" + s.country + ")" + (s.region ? " · " + s.region : "") +
      (rate && rate.net_rate !== null ? " · net rate " + fmt(rate.net_rate) + " per 1,000 " + ci(rate.net_rate_lo, rate.net_rate_hi) : "");
    var close = el("button", {type: "button", id: "drill-close"}, "Close");
    close.addEventListener("click", function () { setCountry(""); });
    box.appendChild(close);
    if (body.missing) { var m = el("div"); empty(m, body.missing); box.appendChild(m); }
    var grid = el("div", {"class": "drill-grid"});
    function sub(title, cols, rows) {
      var d = el("div"); d.appendChild(el("h3", {}, title));
      var w = el("div", {"class": "tablewrap"}); var t = el("table"); w.appendChild(t); d.appendChild(w);
      table(t, cols, rows); grid.appendChild(d);
    }
    sub("Organizations", [
      {label: "Organization", value: function (r) { return r.name; }},
      {label: "Type", value: function (r) { return r.type; }},
      {label: "Researchers", num: true, tip: "Distinct researchers observed there in the selected years", value: function (r) { return fmt(r.researchers, 0); }}
    ], body.data.organizations || []);
    sub("Arrivals from", [
      {label: "Origin", value: function (r) { return r.origin_name; }},
      {label: "Moves", num: true, value: function (r) { return fmt(r.count, 0); }}
    ], body.data.inflows || []);
    sub("Departures to", [
      {label: "Destination", value: function (r) { return r.destination_name; }},
      {label: "Moves", num: true, value: function (r) { return fmt(r.count, 0); }}
    ], body.data.outflows || []);
    box.appendChild(grid);
  }

  // -- flow of control -----------------------------------------------------------------------------
  function showError(err) {
    var box = $("error");
    if (!err) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false;
    box.textContent = "Could not load the data: " + err.message;
  }

  function setCountry(iso) { state.country = iso || ""; syncForm(); refresh(); }

  async function refresh() {
    var mine = ++seq;
    writeUrl();
    document.body.classList.add("loading");
    document.body.dataset.ready = "0";
    showError(null);
    var flowsKeys = ["level", "year_from", "year_to", "region", "panel", "country"];
    var jobs = [
      get("/headline", {}, ["year_from", "year_to", "panel"]),
      get("/rates", {page_size: 300}, ["year_from", "year_to", "region", "panel"]),
      get("/flows", {page_size: 200}, flowsKeys),
      get("/organizations", {top: 20}, ["year_from", "year_to", "panel"]),
      get("/specialization", {level: "country", page_size: 1000}, ["region"]),
      state.country ? get("/countries/" + encodeURIComponent(state.country), {}, ["year_from", "year_to", "panel"]) : Promise.resolve(null),
      get("/collaboration/pairs", {level: "country", page_size: 1000}, ["year_from", "year_to"])
    ];
    try {
      var r = await Promise.all(jobs);
      if (mine !== seq) { return; }
      renderHeadline(r[0]);
      renderRanking(r[1]);
      renderFlows(r[2]);
      renderDrill(r[5]);
      await Promise.all([renderMap(r[1]), renderSankey(r[2]), renderOrgs(r[3]), renderSpec(r[4]), renderCollab(r[6])]);
      document.body.dataset.ready = "1";
    } catch (err) {
      if (mine === seq) { showError(err); document.body.dataset.ready = "error"; }
    } finally {
      if (mine === seq) { document.body.classList.remove("loading"); }
    }
  }

  async function start() {
    readUrl();
    try {
      var m = await get("/meta", {}, []);
      meta = m.data;
    } catch (err) { showError(err); document.body.dataset.ready = "error"; return; }
    var c = meta.counts || {};
    $("summary").textContent = "Warehouse " + meta.warehouse + ": " + fmt(c.researchers, 0) + " researchers, " + fmt(c.works, 0) +
      " works, " + fmt(c.observations, 0) + " affiliation observations, years " + meta.years[0] + "–" + meta.years[1] +
      (meta.inference ? "; inference " + meta.inference.params_id + " (" + fmt(meta.inference.events, 0) + " events)" : "; no inference yet");
    $("min-cell").textContent = String(meta.min_cell);
    ["year_from", "year_to"].forEach(function (k, i) { $("f-" + k).placeholder = String(meta.years[i] || ""); });
    meta.regions.forEach(function (r) { $("f-region").appendChild(el("option", {value: r}, r)); });
    try {
      var rates = await get("/rates", {page_size: 1000}, []);
      rates.data.slice().sort(function (a, b) { return a.name < b.name ? -1 : 1; })
        .forEach(function (r) { $("f-country").appendChild(el("option", {value: r.country}, r.name)); });
    } catch (err) { /* the country list stays empty; the error shows on refresh */ }
    if (state.country && !Array.prototype.some.call($("f-country").options, function (o) { return o.value === state.country; })) {
      $("f-country").appendChild(el("option", {value: state.country}, state.country));
    }
    syncForm();
    KEYS.forEach(function (k) {
      var input = $("f-" + k);
      if (!input) { return; }
      input.addEventListener("change", function () {
        if (input.type === "number" && input.value && !input.checkValidity()) { showError(new Error(k + ": " + input.validationMessage)); return; }
        state[k] = input.value;
        refresh();
      });
    });
    $("reset").addEventListener("click", function () { state = {level: "country", panel: "all"}; syncForm(); refresh(); });
    refresh();
  }

  // crossing the phone breakpoint (rotation, a resized window) draws the charts again for the new width
  var wasNarrow = null, resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (meta && wasNarrow !== null && narrow() !== wasNarrow) { wasNarrow = narrow(); refresh(); }
    }, 250);
  });
  document.addEventListener("DOMContentLoaded", function () { wasNarrow = narrow(); start(); });
})();
