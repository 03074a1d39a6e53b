// legalcircle serve: the planner's page. Every figure comes from the server (/api/state), which
// computes it exactly as `legalcircle run` does; the page only draws and sends edits.
(function () {
  "use strict";
  const T = {
    zh: {
      measure: "指标", tools: "编辑服务点", browse: "查看", add: "新增点", remove: "删除点", tier: "新增点层级",
      undo: "撤销", redo: "重做", reset: "恢复原方案", suggest_title: "推荐新址", k: "个数", suggest: "推荐",
      changes: "本方案的改动", export: "导出", export_csv: "改动清单（CSV）", export_geojson: "改动清单（GeoJSON）",
      export_yaml: "方案文件（legalcircle run 可复现）", export_report: "本方案的报告（HTML）", towns: "各镇街覆盖",
      circle: "服务圈", none: "不显示", rate: "覆盖率（人口）", population: "覆盖人口 / 总人口",
      villages: "覆盖村社 / 村社总数", baseline: "原方案", town: "镇街", units: "村社", covered: "覆盖",
      change: "变化", hint_browse: "点击村社或服务点查看详情；拖动紫色菱形可移动新增点。",
      hint_add: "在地图上点击道路附近的位置新增服务点。", hint_remove: "点击服务点或新增点将其删除。",
      no_changes: "尚无改动", added: "新增", removed: "删除", del: "删", adopt: "全部采纳为新增点",
      suggesting: "正在计算…", gain: "新增覆盖人口", gap: "与最优之差不超过", bound_note: "界限说明",
      legend_cov: "已覆盖", legend_unc: "未覆盖", legend_na: "不适用", legend_new: "新增点", legend_sugg: "推荐新址",
      updated: "更新用时", ms: "毫秒", minutes: "分钟", nearest: "最近服务点", people: "人", of: "/",
      roads_truncated: "道路过多，仅显示一部分；请放大。", lang: "English", err: "错误",
      candidates: "候选点", objective: "目标", pop_after: "方案后覆盖人口",
    },
    en: {
      measure: "Measure", tools: "Edit service points", browse: "Browse", add: "Add point", remove: "Remove point",
      tier: "Tier of new points", undo: "Undo", redo: "Redo", reset: "Back to the scenario", suggest_title: "Suggest new sites",
      k: "How many", suggest: "Suggest", changes: "Changes in this proposal", export: "Export",
      export_csv: "Changes (CSV)", export_geojson: "Changes (GeoJSON)", export_yaml: "Scenario file (legalcircle run reproduces it)",
      export_report: "Report of this proposal (HTML)", towns: "Coverage by town", circle: "Circle", none: "none",
      rate: "Coverage (population)", population: "Covered / total population", villages: "Covered / all villages",
      baseline: "Scenario", town: "Town", units: "Villages", covered: "Covered", change: "Change",
      hint_browse: "Click a village or a service for details; drag a violet diamond to move a proposed point.",
      hint_add: "Click the map near a road to add a service point.", hint_remove: "Click a service or a proposed point to remove it.",
      no_changes: "No changes yet", added: "added", removed: "removed", del: "del", adopt: "Adopt all as proposed points",
      suggesting: "Computing…", gain: "newly covered people", gap: "at most this far from optimal", bound_note: "bound note",
      legend_cov: "covered", legend_unc: "not covered", legend_na: "not judged", legend_new: "proposed point",
      legend_sugg: "suggested site", updated: "updated in", ms: "ms", minutes: "min", nearest: "nearest service",
      people: "people", of: "/", roads_truncated: "Too many roads to show at this zoom: zoom in.", lang: "中文", err: "Error",
      candidates: "candidates", objective: "objective", pop_after: "covered after",
    },
  };
  // Tiers in the scenario's order; no red or green (those are the villages' verdicts), no violet (proposals).
  const TIER_COLORS = ["#1a237e", "#ff8f00", "#1e88e5", "#00897b", "#6d4c41", "#546e7a", "#f06292"];
  const BAND_COLORS = ["#00682f", "#41ab5d", "#a1d99b", "#d9f0d3"];
  const ROAD_STYLE = [
    { color: "#e8a33d", weight: 4 }, { color: "#f2c45a", weight: 3 }, { color: "#bdbdbd", weight: 2 },
    { color: "#cfcfcf", weight: 1.2 }, { color: "#dedede", weight: 0.8, dashArray: "3 3" },
  ];

  const app = { ready: false, lang: "zh", tool: "browse", scenario: null, villages: [], state: null,
                measure: "overall", suggestion: null, lastEditMs: null, errors: [] };
  window.legalcircle = app;
  const $ = (id) => document.getElementById(id);
  const t = (key) => (T[app.lang] && T[app.lang][key]) || key;
  const pct = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%");
  const int = (x) => Math.round(x).toLocaleString(app.lang === "zh" ? "zh-CN" : "en-US");

  async function api(path, body) {
    const opts = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const r = await fetch(path, opts);
    const text = await r.text();
    let j;
    try { j = JSON.parse(text); } catch (e) { j = null; }
    if (!r.ok) throw new Error((j && j.error) || r.status + " " + r.statusText);
    return j !== null ? j : text;
  }
  function toast(message) {
    const el = $("toast");
    el.textContent = t("err") + ": " + message;
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  // ----- map
  const map = L.map("map", { preferCanvas: true, zoomControl: true, attributionControl: false, zoomSnap: 0.25 });
  // The page may be laid out again after start (a window resized, a panel grown).
  if (window.ResizeObserver) new ResizeObserver(() => map.invalidateSize()).observe(document.getElementById("map"));
  app.map = map;
  // Panes keep the drawing order whatever is redrawn last: roads, then circles, then points.
  map.createPane("roads").style.zIndex = 320;
  map.createPane("circles").style.zIndex = 340;
  const roadRenderer = L.canvas({ padding: 0.3, pane: "roads" });
  const circleRenderer = L.canvas({ padding: 0.3, pane: "circles" });
  const renderer = L.canvas({ padding: 0.3 });
  const roadLayer = L.layerGroup().addTo(map);
  const circleLayer = L.layerGroup().addTo(map);
  const townLayer = L.layerGroup().addTo(map);
  const villageLayer = L.layerGroup().addTo(map);
  const serviceLayer = L.layerGroup().addTo(map);
  const proposalLayer = L.layerGroup().addTo(map);
  const suggestionLayer = L.layerGroup().addTo(map);
  let villageMarkers = [], serviceMarkers = {}, proposalMarkers = {};

  function tierColor(name) {
    const tiers = app.scenario.tiers;
    const i = tiers.findIndex((x) => x.name === name);
    return TIER_COLORS[(i < 0 ? 0 : i) % TIER_COLORS.length];
  }
  function tierLabel(name) {
    const x = app.scenario.tiers.find((y) => y.name === name);
    return x ? x.label : name || "";
  }

  let roadsRequest = 0;
  async function loadRoads() {
    const b = map.getBounds();
    const id = ++roadsRequest;
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
    try {
      const gj = await api("/api/roads?bbox=" + bbox + "&zoom=" + Math.round(map.getZoom()));
      if (id !== roadsRequest) return;
      roadLayer.clearLayers();
      gj.features.slice().reverse().forEach((f) => {
        const style = ROAD_STYLE[f.properties.rank];
        const lines = f.geometry.coordinates.map((line) => line.map((p) => [p[1], p[0]]));
        L.polyline(lines, Object.assign({ renderer: roadRenderer, interactive: false }, style)).addTo(roadLayer);
      });
      $("status").dataset.roads = gj.truncated ? "truncated" : "";
      showStatus();
    } catch (e) { toast(e.message); }
  }

  function showStatus() {
    const parts = [];
    if (app.lastEditMs !== null) parts.push(t("updated") + " " + app.lastEditMs + " " + t("ms"));
    if ($("status").dataset.roads === "truncated") parts.push(t("roads_truncated"));
    $("status").textContent = parts.join(" · ");
  }

  let circleRequest = 0;
  async function loadCircle() {
    const choice = $("circle").value;
    const id = ++circleRequest;
    if (!choice) { circleLayer.clearLayers(); return; }
    const [rule, mode] = choice.split("|");
    try {
      const gj = await api("/api/circle?rule=" + encodeURIComponent(rule) + "&mode=" + mode);
      if (id !== circleRequest) return;
      circleLayer.clearLayers();
      const n = gj.features.length;
      gj.features.slice().reverse().forEach((f, i) => {
        const color = BAND_COLORS[Math.min(BAND_COLORS.length - 1, n - 1 - i)];
        L.geoJSON(f, { renderer: circleRenderer, interactive: false, style: { color: color, weight: 0.5, fillColor: color, fillOpacity: 0.28 } }).addTo(circleLayer);
      });
    } catch (e) { toast(e.message); }
  }

  // ----- drawing the state
  function verdictColor(v) { return v === 1 ? "#2e9d4b" : v === 0 ? "#d7301f" : "#9e9e9e"; }

  function drawVillages() {
    const verdicts = app.state.units[app.measure] || app.state.units.overall;
    villageMarkers.forEach((m, k) => {
      const c = verdictColor(verdicts[k]);
      m.setStyle({ color: verdicts[k] === 0 ? "#7f0000" : "#ffffff", fillColor: c });
    });
  }

  function villagePopup(k) {
    const v = app.villages[k], s = app.state;
    const minutes = s.minutes[k];
    const verdict = (s.units[app.measure] || s.units.overall)[k];
    return "<b>" + escapeHtml(v.name) + "</b><br>" + escapeHtml(v.town || "") + "<br>" + int(v.population) + " " + t("people") +
      "<br>" + (minutes === null ? "–" : minutes + " " + t("minutes")) + (s.nearest[k] ? " · " + t("nearest") + " " + escapeHtml(s.nearest[k]) : "") +
      "<br>" + (verdict === 1 ? t("legend_cov") : verdict === 0 ? t("legend_unc") : t("legend_na"));
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  function drawServices() {
    const removed = new Set(app.state.removed);
    app.scenario.services.forEach((s) => {
      const m = serviceMarkers[s.id];
      if (removed.has(s.id)) { if (serviceLayer.hasLayer(m)) serviceLayer.removeLayer(m); }
      else if (!serviceLayer.hasLayer(m)) serviceLayer.addLayer(m);
    });
    const standing = new Set();
    app.state.proposals.forEach((p) => {
      standing.add(p.id);
      let m = proposalMarkers[p.id];
      if (!m) {
        m = L.marker([p.lat, p.lon], { draggable: true, title: p.name,
          icon: L.divIcon({ className: "", html: '<div class="proposal-icon"></div>', iconSize: [18, 18], iconAnchor: [9, 9] }) });
        m.on("dragend", () => { const ll = m.getLatLng(); edit({ op: "move", id: p.id, lon: ll.lng, lat: ll.lat }); });
        m.on("click", () => { if (app.tool === "remove") edit({ op: "remove", id: p.id }); });
        proposalMarkers[p.id] = m;
      }
      m.setLatLng([p.lat, p.lon]);
      m.bindTooltip(escapeHtml(p.name) + " · " + escapeHtml(tierLabel(p.tier)));
      if (!proposalLayer.hasLayer(m)) proposalLayer.addLayer(m);
    });
    Object.keys(proposalMarkers).forEach((id) => {
      if (!standing.has(id)) proposalLayer.removeLayer(proposalMarkers[id]);
    });
  }

  function drawHeadline() {
    const m = app.state.measures.find((x) => x.key === app.measure) || app.state.measures[0];
    const tot = m.total, base = m.baseline;
    $("headline-rate").textContent = pct(tot.rate_population);
    $("headline-rate").dataset.coveredPopulation = tot.covered_population;
    $("headline-rate").dataset.coveredUnits = tot.covered_units;
    $("headline-rate").dataset.version = app.state.version;
    const d = base && tot.rate_population !== null && base.rate_population !== null ? tot.rate_population - base.rate_population : null;
    const ch = $("headline-change");
    ch.textContent = d === null || Math.abs(d) < 5e-5 ? "" : (d > 0 ? "+" : "") + (100 * d).toFixed(1);
    ch.className = "change " + (d > 0 ? "up" : d < 0 ? "down" : "");
    $("headline-label").textContent = t("rate") + " · " + labelOf(m.key);
    $("headline-population").textContent = int(tot.covered_population) + " / " + int(tot.population);
    $("headline-population-label").textContent = t("population");
    $("headline-villages").textContent = tot.covered_units + " / " + tot.units;
    $("headline-villages-label").textContent = t("villages");
  }

  function labelOf(key) {
    const m = app.scenario.measures.find((x) => x.key === key);
    return m ? m.label : key;
  }

  function drawTowns() {
    const m = app.state.measures.find((x) => x.key === app.measure) || app.state.measures[0];
    $("towns").tHead.innerHTML = "<tr><th>" + t("town") + "</th><th>" + t("units") + "</th><th>" + t("covered") + "</th><th>" +
      t("rate") + "</th><th>" + t("baseline") + "</th><th>" + t("change") + "</th></tr>";
    const rows = m.towns.map((r) => {
      const b = r.baseline;
      const d = b && r.rate_population !== null && b.rate_population !== null ? r.rate_population - b.rate_population : null;
      const cls = d > 5e-5 ? "up" : d < -5e-5 ? "down" : "";
      return "<tr><td>" + escapeHtml(r.town || r.county) + "</td><td>" + r.units + "</td><td>" + r.covered_units + "</td><td>" +
        pct(r.rate_population) + "</td><td>" + (b ? pct(b.rate_population) : "–") + "</td><td class='" + cls + "'>" +
        (d === null || Math.abs(d) < 5e-5 ? "" : (d > 0 ? "+" : "") + (100 * d).toFixed(1)) + "</td></tr>";
    });
    $("towns").tBodies[0].innerHTML = rows.join("");
  }

  function drawChanges() {
    const ul = $("proposals");
    ul.innerHTML = "";
    const items = [];
    app.state.proposals.forEach((p) => items.push({ text: t("added") + " · " + p.name + " · " + tierLabel(p.tier), op: { op: "remove", id: p.id } }));
    app.state.removed.forEach((id) => {
      const s = app.scenario.services.find((x) => x.id === id);
      items.push({ text: t("removed") + " · " + (s ? s.name : id), op: null });
    });
    if (!items.length) { ul.innerHTML = "<li>" + t("no_changes") + "</li>"; return; }
    items.forEach((it) => {
      const li = document.createElement("li");
      const span = document.createElement("span");
      span.textContent = it.text;
      li.appendChild(span);
      if (it.op) {
        const b = document.createElement("button");
        b.textContent = t("del");
        b.onclick = () => edit(it.op);
        li.appendChild(b);
      }
      ul.appendChild(li);
    });
  }

  function drawLegend() {
    const rows = [
      "<i style='background:#2e9d4b'></i>" + t("legend_cov"), "<i style='background:#d7301f'></i>" + t("legend_unc"),
      "<i style='background:#9e9e9e'></i>" + t("legend_na"),
    ];
    app.scenario.tiers.forEach((x) => rows.push("<i style='background:" + tierColor(x.name) + ";border:2px solid #fff;box-shadow:0 0 1px #000'></i>" + escapeHtml(x.label)));
    rows.push("<i class='sq' style='background:#7b3fb5;transform:rotate(45deg)'></i>" + t("legend_new"));
    $("legend").innerHTML = rows.join("<br>");
  }

  function render() {
    drawHeadline();
    drawVillages();
    drawServices();
    drawTowns();
    drawChanges();
    $("undo").disabled = !app.state.can_undo;
    $("redo").disabled = !app.state.can_redo;
    document.body.dataset.version = app.state.version;
    showStatus();
  }

  function setState(s) {
    app.state = s;
    render();
    clearTimeout(setState.circleTimer);
    setState.circleTimer = setTimeout(loadCircle, 250);
  }

  async function edit(op) {
    const t0 = performance.now();
    try {
      const s = await api("/api/edit", op);
      app.lastEditMs = Math.round(performance.now() - t0);
      setState(s);
    } catch (e) {
      toast(e.message);
      render();  // a refused drag goes back
    }
  }
  async function simple(path) {
    try { setState(await api(path, {})); } catch (e) { toast(e.message); }
  }

  // ----- texts
  function applyTexts() {
    document.documentElement.lang = app.lang;
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    $("lang").textContent = t("lang");
    $("hint").textContent = t("hint_" + app.tool);
    const ms = $("measure");
    ms.innerHTML = "";
    app.scenario.measures.forEach((m) => ms.add(new Option(m.label, m.key, false, m.key === app.measure)));
    const cs = $("circle"), keep = cs.value;
    cs.innerHTML = "";
    cs.add(new Option(t("none"), ""));
    app.scenario.rules.forEach((r) => {
      if (r.minutes === null) return;
      r.modes.forEach((mode) => cs.add(new Option((r.label || r.name) + " · " + mode + " · " + r.minutes + " " + t("minutes"), r.name + "|" + mode)));
    });
    cs.value = keep || (cs.options.length > 1 ? cs.options[1].value : "");
    const ts = $("tier"), keepTier = ts.value;
    ts.innerHTML = "";
    app.scenario.tiers.forEach((x) => ts.add(new Option(x.label, x.name)));
    ts.disabled = app.scenario.tiers.length === 0;
    ts.value = keepTier || app.scenario.default_tier;
    drawLegend();
    if (app.state) render();
    if (app.suggestion) drawSuggestion();
  }

  function setTool(tool) {
    app.tool = tool;
    document.querySelectorAll(".tool").forEach((b) => b.classList.toggle("active", b.dataset.tool === tool));
    $("map").classList.toggle("add-cursor", tool === "add");
    $("hint").textContent = t("hint_" + tool);
  }

  function drawSuggestion() {
    const s = app.suggestion, box = $("suggestion");
    suggestionLayer.clearLayers();
    if (!s) { box.innerHTML = ""; return; }
    const items = s.sites.map((x) => "<li>" + escapeHtml(x.name) + (x.town ? " · " + escapeHtml(x.town) : "") + " · +" + int(x.gain_population) + " " + t("people") + "</li>");
    let bound = t("pop_after") + " " + int(s.population_after) + " / " + int(s.population_total);
    if (s.gap !== undefined) bound += "; " + t("gap") + " " + (100 * s.gap).toFixed(2) + "%";
    if (!s.bound_valid && s.bound_note) bound += " (" + escapeHtml(s.bound_note) + ")";
    box.innerHTML = "<ol>" + items.join("") + "</ol><div class='bound'>" + bound + "</div>";
    const b = document.createElement("button");
    b.textContent = t("adopt");
    b.id = "adopt";
    b.disabled = !s.sites.length;
    b.onclick = async () => {
      const sites = s.sites.map((x) => ({ lon: x.lon, lat: x.lat, tier: x.tier || null, name: x.name }));
      app.suggestion = null;
      drawSuggestion();
      await edit({ op: "add_many", sites });
    };
    box.appendChild(b);
    s.sites.forEach((x) => L.marker([x.lat, x.lon], { interactive: false,
      icon: L.divIcon({ className: "", html: '<div class="suggest-icon"></div>', iconSize: [16, 16], iconAnchor: [8, 8] }) }).addTo(suggestionLayer));
  }

  // ----- start
  async function start() {
    const [scenario, villages, state] = await Promise.all([api("/api/scenario"), api("/api/villages"), api("/api/state")]);
    app.scenario = scenario;
    app.villages = villages;
    app.lang = scenario.lang === "en" ? "en" : "zh";
    document.title = scenario.title + " · legalcircle";
    $("title").textContent = scenario.title;
    $("attribution").textContent = (scenario.attribution || "") + " · legalcircle";
    $("k").value = scenario.planning.k;
    const [w, s, e, n] = scenario.bounds;
    map.fitBounds([[s, w], [n, e]], { padding: [20, 20] });
    if (scenario.tiles_url) L.tileLayer(scenario.tiles_url, { maxZoom: 19 }).addTo(map).bringToBack();
    scenario.towns.forEach((tw) => L.marker([tw.lat, tw.lon], { interactive: false, keyboard: false,
      icon: L.divIcon({ className: "town-label", html: escapeHtml(tw.name), iconSize: null }) }).addTo(townLayer));
    villageMarkers = villages.map((v, k) => {
      const m = L.circleMarker([v.lat, v.lon], { renderer, radius: 4 + Math.min(4, Math.sqrt(v.population || 0) / 25), weight: 1, fillOpacity: 0.9 });
      m.on("click", () => { if (app.tool === "browse") m.bindPopup(villagePopup(k)).openPopup(); });
      return m.addTo(villageLayer);
    });
    scenario.services.forEach((s0) => {
      const m = L.circleMarker([s0.lat, s0.lon], { renderer, radius: 7, color: "#fff", weight: 1.5, fillColor: tierColor(s0.tier), fillOpacity: 1 });
      m.bindTooltip(escapeHtml(s0.name) + (s0.tier ? " · " + escapeHtml(tierLabel(s0.tier)) : ""));
      m.on("click", () => { if (app.tool === "remove") edit({ op: "remove", id: s0.id }); });
      serviceMarkers[s0.id] = m.addTo(serviceLayer);
    });
    map.on("click", (ev) => {
      if (app.tool !== "add") return;
      const tier = $("tier").value || null;
      edit({ op: "add", lon: ev.latlng.lng, lat: ev.latlng.lat, tier: app.scenario.tiers.length ? tier : null });
    });
    map.on("moveend", loadRoads);
    document.querySelectorAll(".tool").forEach((b) => { b.onclick = () => setTool(b.dataset.tool); });
    $("undo").onclick = () => simple("/api/undo");
    $("redo").onclick = () => simple("/api/redo");
    $("reset").onclick = () => simple("/api/reset");
    $("measure").onchange = () => { app.measure = $("measure").value; render(); };
    $("circle").onchange = loadCircle;
    $("lang").onclick = () => { app.lang = app.lang === "zh" ? "en" : "zh"; applyTexts(); };
    $("suggest").onclick = async () => {
      const k = parseInt($("k").value, 10);
      $("suggestion").textContent = t("suggesting");
      $("suggest").disabled = true;
      try { app.suggestion = await api("/api/suggest", { k }); drawSuggestion(); }
      catch (e) { $("suggestion").textContent = ""; toast(e.message); }
      finally { $("suggest").disabled = false; }
    };
    document.addEventListener("keydown", (ev) => {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "z") simple(ev.shiftKey ? "/api/redo" : "/api/undo");
    });
    applyTexts();
    app.state = state;
    render();
    await Promise.all([loadRoads(), loadCircle()]);
    app.ready = true;
    document.body.dataset.ready = "1";
  }
  start().catch((e) => { toast(e.message); app.errors.push(String(e)); });
})();
