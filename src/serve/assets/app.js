// The page of `simulate serve`: controls that set inputs, views fetched from /api/view.
// State lives in the URL (set=KEY=VALUE, paths, seed, sampler), so a link reproduces the view.
"use strict";

const session = "tab-" + Math.random().toString(36).slice(2, 12);
const state = { sets: new Map(), paths: null, seed: null, sampler: null };
let info = null;          // /api/controls
let inFlight = null;      // the AbortController of the newest request
let movedAt = null;       // when the newest change was made (performance.now())
let rendered = 0;         // views rendered so far (the browser test waits on it)

const $ = (id) => document.getElementById(id);

// A number as a short TOML value: 4 significant digits, no exponent below 1e21.
function tomlNumber(x) {
  return String(Number(Number(x).toPrecision(4)));
}

function percent(p) {
  if (p === 0) return "0%";
  const x = 100 * p;
  return (x < 1 ? x.toPrecision(2) : x.toFixed(1)) + "%";
}

function readUrl() {
  const q = new URLSearchParams(location.search);
  state.sets.clear();
  for (const s of q.getAll("set")) {
    const i = s.indexOf("=");
    if (i > 0) state.sets.set(s.slice(0, i), s.slice(i + 1));
  }
  state.paths = q.get("paths");
  state.seed = q.get("seed");
  state.sampler = q.get("sampler");
}

// The query of the current state; `paths` only when it is not the preview size.
function query(forApi) {
  const q = new URLSearchParams();
  for (const [k, v] of state.sets) q.append("set", k + "=" + v);
  const paths = state.paths || (forApi ? String(info.preview_paths) : null);
  if (paths) q.set("paths", paths);
  if (state.seed) q.set("seed", state.seed);
  if (state.sampler) q.set("sampler", state.sampler);
  return q;
}

// Controls shown: the first `shown` by rank, any input the URL sets, and those added.
const visible = new Set();

function buildControls() {
  info.controls.slice(0, info.shown).forEach((c) => visible.add(c.key));
  for (const k of state.sets.keys()) if (info.controls.some((c) => c.key === k)) visible.add(k);
  const box = $("controls");
  box.textContent = "";
  for (const c of info.controls) {
    if (!visible.has(c.key)) continue;
    const div = document.createElement("div");
    div.className = "control";
    div.dataset.key = c.key;
    const name = document.createElement("div");
    name.className = "name";
    name.textContent = c.key;
    const dist = document.createElement("div");
    dist.className = "dist";
    dist.textContent = c.distribution + " · swing of P(break-even) " + percent(Math.abs(c.swing)) +
      (c.source ? " · " + c.source : "");
    const row = document.createElement("div");
    row.className = "row";
    const slider = document.createElement("input");
    slider.type = "range";
    slider.min = c.low;
    slider.max = c.high;
    slider.step = c.whole ? 1 : (c.high - c.low) / 200 || "any";
    slider.value = c.median;
    slider.setAttribute("aria-label", c.key);
    const field = document.createElement("input");
    field.type = "number";
    field.step = "any";
    field.setAttribute("aria-label", c.key + " value");
    const reset = document.createElement("button");
    reset.type = "button";
    reset.textContent = "↺";
    reset.title = "back to its distribution";
    const stateText = document.createElement("div");
    stateText.className = "state";
    row.append(slider, field, reset);
    div.append(name, dist, row, stateText);
    box.append(div);

    slider.addEventListener("input", () => {
      const v = c.whole ? String(Math.round(Number(slider.value))) : tomlNumber(slider.value);
      change(c.key, v);
    });
    field.addEventListener("change", () => {
      if (field.value === "" || !isFinite(Number(field.value))) return;
      change(c.key, tomlNumber(field.value));
    });
    reset.addEventListener("click", () => change(c.key, null));
  }
  const add = $("add-control");
  add.textContent = "";
  const first = document.createElement("option");
  first.value = "";
  first.textContent = "add a control for another input…";
  add.append(first);
  info.controls.forEach((c, i) => {
    if (visible.has(c.key)) return;
    const o = document.createElement("option");
    o.value = c.key;
    o.textContent = "#" + (i + 1) + " " + c.key;
    add.append(o);
  });
  add.hidden = add.options.length === 1;
  reflectControls();
}

// Shows the state on the controls.
function reflectControls() {
  for (const div of document.querySelectorAll(".control")) {
    const c = info.controls.find((x) => x.key === div.dataset.key);
    const [slider, field] = div.querySelectorAll("input");
    const v = state.sets.get(c.key);
    const fixed = v !== undefined && isFinite(Number(v));
    div.classList.toggle("fixed", v !== undefined);
    if (fixed) {
      if (document.activeElement !== slider) slider.value = Number(v);
      if (document.activeElement !== field) field.value = Number(v);
    } else if (v === undefined) {
      slider.value = c.median;
      field.value = "";
      field.placeholder = tomlNumber(c.median);
    }
    div.querySelector(".state").textContent =
      v === undefined ? "uncertain: drawn from its distribution" : "fixed at " + v;
  }
}

function change(key, value) {
  if (value === null) state.sets.delete(key); else state.sets.set(key, value);
  state.paths = null; // back to preview size
  movedAt = performance.now();
  reflectControls();
  refresh();
}

function updateLinks() {
  const q = query(true);
  for (const f of ["json", "csv", "markdown", "xlsx", "html"]) {
    const d = new URLSearchParams(q);
    d.set("format", f);
    d.set("download", "1");
    $("download-" + f).href = "/api/run?" + d;
  }
  $("api-link").href = "/api/run?" + q;
  $("api-link").textContent = "/api/run?" + decodeURIComponent(q.toString());
}

async function refresh() {
  if (inFlight) inFlight.abort();
  const controller = new AbortController();
  inFlight = controller;
  const pageQuery = query(false).toString();
  history.replaceState(null, "", pageQuery ? "?" + pageQuery : location.pathname);
  updateLinks();
  const apiQuery = query(true);
  apiQuery.set("session", session);
  const started = performance.now();
  const status = $("status");
  status.classList.add("busy");
  status.textContent = "running " + Number(apiQuery.get("paths")).toLocaleString("en") + " paths…";
  try {
    const response = await fetch("/api/view?" + apiQuery, { signal: controller.signal });
    const body = await response.text();
    if (controller !== inFlight) return;
    if (!response.ok) {
      if (response.status === 409) return; // replaced by a newer request
      showError(body.trim());
      return;
    }
    const view = JSON.parse(body);
    render(view);
    const now = performance.now();
    const latency = now - (movedAt ?? started);
    window.lastLatencyMs = latency;
    status.classList.remove("busy");
    status.textContent = view.report.paths.toLocaleString("en") + " paths" +
      (state.paths ? " (full run)" : " (preview)") + " · engine " + view.elapsed_ms.toFixed(0) +
      " ms · shown " + latency.toFixed(0) + " ms after the change";
    rendered += 1;
    document.body.dataset.rendered = String(rendered);
    document.body.dataset.query = view.query;
  } catch (e) {
    if (e.name !== "AbortError") showError("error: " + e.message);
  }
}

function showError(text) {
  const el = $("error");
  el.textContent = text;
  el.hidden = false;
  $("status").classList.remove("busy");
  $("status").textContent = "the last change was refused";
}

function card(id, label, p, total, main) {
  const div = document.createElement("div");
  div.className = "card" + (main ? " main" : "");
  div.id = id;
  div.dataset.probability = String(p.probability);
  const l = document.createElement("div");
  l.className = "label";
  l.textContent = label;
  const v = document.createElement("div");
  v.className = "value";
  v.textContent = percent(p.probability);
  const ci = document.createElement("div");
  ci.className = "ci";
  ci.textContent = "95%: " + percent(p.ci95[0]) + " – " + percent(p.ci95[1]) + " · " +
    p.paths.toLocaleString("en") + " of " + total.toLocaleString("en") + " paths";
  div.append(l, v, ci);
  return div;
}

function svgInto(id, text) {
  const box = $(id);
  box.innerHTML = text;
  const svg = box.querySelector("svg");
  if (svg && !svg.getAttribute("viewBox")) {
    svg.setAttribute("viewBox", "0 0 " + svg.getAttribute("width") + " " + svg.getAttribute("height"));
  }
}

function render(view) {
  const r = view.report;
  $("error").hidden = true;
  const be = r.break_even;
  const cards = [
    card("p-break-even", "Operating break-even by " + r.scenario.horizon +
      (be.operating.median_year ? " (median year " + be.operating.median_year + ")" : ""),
      be.operating, r.paths, true),
    card("p-payback", "Cash payback by " + r.scenario.horizon, be.cash_payback, r.paths, true),
  ];
  for (const t of r.thresholds) cards.push(card("p-threshold-" + t.name, t.label, t, r.paths, false));
  $("headline").replaceChildren(...cards);
  svgInto("fan-chart", view.fan_chart);
  svgInto("break-even-chart", view.break_even_chart);
}

async function start() {
  readUrl();
  const response = await fetch("/api/controls");
  info = await response.json();
  document.title = info.scenario + " · breakeven";
  $("title").textContent = info.scenario;
  $("description").textContent = info.description + " (" + info.file + ")";
  $("full-run").textContent = "Full run (" + info.default_paths.toLocaleString("en") + " paths)";
  $("full-run").addEventListener("click", () => {
    state.paths = String(info.default_paths);
    movedAt = performance.now();
    refresh();
  });
  $("reset-all").addEventListener("click", () => {
    state.sets.clear();
    state.paths = null;
    movedAt = performance.now();
    reflectControls();
    refresh();
  });
  $("add-control").addEventListener("change", (e) => {
    if (!e.target.value) return;
    visible.add(e.target.value);
    buildControls();
  });
  buildControls();
  refresh();
}

start();
