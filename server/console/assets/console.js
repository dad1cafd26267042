"use strict";
// The sevu console: one page over the JSON API under /console/api/ (docs/console.md).
// Plain JavaScript with no build step and nothing fetched from elsewhere: the server
// embeds this file as it is, and its Content-Security-Policy forbids inline scripts,
// inline style attributes and eval. Text reaches the page only through text nodes
// (never innerHTML), so nothing a viewer sent (a key, a video name) can become markup.

const POLL_MS = 2000;          // live attempts: how often to ask for rows newer than ours
const SESSION_POLL_MS = 5000;  // a ticket's live sessions
const PAGE_SIZE = 50;
const MAX_ROWS = 1000;         // live rows kept on the timeline page
const SVG_NS = "http://www.w3.org/2000/svg";
const RANGES = [[900, "Last 15 minutes"], [3600, "Last hour"], [6 * 3600, "Last 6 hours"],
  [86400, "Last 24 hours"], [7 * 86400, "Last 7 days"], [31 * 86400, "Last 31 days"], [0, "Custom range"]];
// Fixed colours for the usher's reasons (docs/hooks.md), so a reason keeps its colour
// from one chart to the next; other reasons get one of the spare colours by their name.
const REASON_COLOURS = {
  '': '#1a7f37',
  'Success': '#1a7f37',
  'Invalid Auth Token': '#c62828',
  'Account Disabled': '#4e342e',
  'Token Revoked': '#6a1b9a',
  'Expiration date surpassed': '#d35400',
  'Wrong Application': '#1565c0',
  'Exceeded max views': '#ad1457',
  'Invalid IP Address': '#00838f',
  'Not authorized for that video': '#827717',
  'Too many viewers': '#5d4037',
  'Publish Authorized': '#558b2f',
};
const SPARE_COLOURS = ["#37474f", "#880e4f", "#283593", "#bf360c", "#33691e", "#4a148c"];
const WHEN_FULL = [["deny", "Deny new viewer"], ["end_oldest", "End oldest viewer"]];

const state = {
  me: null,       // the `me` object of the session; null when logged out
  account: "",    // the operator's choice: "" every account, "0" unmatched keys, else a cdn id
  accounts: [],   // the operator's picker entries
  timers: [],     // the current page's pollers, stopped when the page changes
  page: 0,        // bumped on every page change, so a late answer for an old page is dropped
};

// ---------------------------------------------------------------- DOM helpers

// el("tag.class", {attribute: value, onclick: fn}, child, ...): children are nodes or text.
function el(spec, attrs, ...kids) {
  const [tag, ...classes] = spec.split(".");
  const node = document.createElement(tag);
  if (classes.length) node.className = classes.join(" ");
  setAttrs(node, attrs);
  appendKids(node, kids);
  return node;
}

function svg(tag, attrs, ...kids) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  appendKids(node, kids);
  return node;
}

function setAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
}

function appendKids(node, kids) {
  for (const kid of kids.flat(Infinity)) {
    if (kid === null || kid === undefined || kid === false) continue;
    node.append(kid instanceof Node ? kid : String(kid));
  }
}

let fieldCount = 0;

// A labelled control: every input has a <label> bound to it by id.
function field(label, control, hint) {
  const id = "f" + (++fieldCount);
  control.id = id;
  const hintNode = hint ? el("span.hint", {id: id + "-hint"}, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  const box = el("div.field" + (control.type === "checkbox" ? ".check" : ""), {});
  if (control.type === "checkbox") appendKids(box, [control, el("label", {for: id}, label), hintNode]);
  else appendKids(box, [el("label", {for: id}, label), control, hintNode]);
  return box;
}

function input(name, attrs) {
  return el("input", {name, type: "text", ...attrs});
}

function select(name, options, value) {
  const node = el("select", {name});
  for (const [optValue, text] of options) {
    node.append(el("option", {value: optValue, selected: String(optValue) === String(value)}, text));
  }
  return node;
}

function button(text, onclick, kind) {
  return el("button" + (kind ? "." + kind : ""), {type: "button", onclick}, text);
}

// A form whose submit runs `action(values, form)`; its error (and the field it names)
// is shown in the form, and the button is disabled meanwhile so a change is sent once.
function form(id, fields, submitText, action) {
  const error = el("p.error", {role: "alert"});
  const submit = el("button", {type: "submit"}, submitText);
  const node = el("form.grid", {id, novalidate: true}, fields, el("div.actions", {}, submit), error);
  node.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFormError(node);
    submit.disabled = true;
    try {
      await action(formValues(node), node);
    } catch (err) {
      showFormError(node, err);
    } finally {
      submit.disabled = false;
    }
  });
  return node;
}

// The form's values by name: checkboxes as booleans, a ticket's pass or a
// stream user's password exactly as typed (the APIs keep spaces in them, and a
// viewer must send the same), everything else as trimmed text.
function formValues(node) {
  const values = {};
  for (const control of node.elements) {
    if (!control.name) continue;
    if (control.type === "checkbox") values[control.name] = control.checked;
    else values[control.name] = control.name === "pass" ? control.value : control.value.trim();
  }
  return values;
}

function clearFormError(node) {
  node.querySelector(".error").textContent = "";
  for (const c of node.querySelectorAll("[aria-invalid]")) c.removeAttribute("aria-invalid");
}

function showFormError(node, err) {
  if (!(err instanceof ApiError)) console.error(err);
  node.querySelector(".error").textContent = err.message;
  const bad = err.body && err.body.field && node.elements.namedItem(err.body.field);
  if (bad && bad.focus) {
    bad.setAttribute("aria-invalid", "true");
    bad.focus();
  }
}

// A table whose cells carry their column's name (data-label): at phone width each row
// becomes a card that still says what each value is (console.css).
function table(id, caption, columns, rows, rowOf) {
  const head = el("tr", {}, columns.map((c) => el("th", {scope: "col"}, c)));
  const body = el("tbody", {});
  const node = el("table.cards", {id}, el("caption", {}, caption), el("thead", {}, head), body);
  for (const row of rows) body.append(tableRow(columns, rowOf(row)));
  return node;
}

function tableRow(columns, cells) {
  return el("tr", {}, cells.map((cell, i) => el("td", {"data-label": columns[i]}, cell)));
}

function facts(pairs) {
  return el("dl.facts", {}, pairs.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));
}

// Times are shown in UTC, as the rest of sevu-server writes them (docs/operations.md).
function utc(unix) {
  return new Date(unix * 1000).toISOString().slice(0, 19).replace("T", " ");
}

function hhmm(unix) {
  return new Date(unix * 1000).toISOString().slice(11, 16);
}

function notify(text) {
  const box = document.getElementById("status");
  box.textContent = text;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { box.textContent = ""; }, 4000);
}

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, body) {
    super((body && (body.message || body.error)) || "The server answered " + status);
    this.status = status;
    this.body = body || {};
  }
}

// One call to /console/api/<path> (relative to /console/, where the page lives).
async function api(method, path, body) {
  const init = {method, headers: {Accept: "application/json"}, credentials: "same-origin"};
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  // Every change carries the session's CSRF token; SameSite=Strict is the second guard.
  if (method !== "GET" && state.me) init.headers["X-CSRF-Token"] = state.me.csrf;
  const res = await fetch("api/" + path, init);
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401 && path !== "login") sessionLost();
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// The session expired or was ended elsewhere: back to the login page.
function sessionLost() {
  if (!state.me) return;
  state.me = null;
  showSessionBar();
  notify("Your session has ended; please log in again.");
  location.hash = "#/login";
}

// A query string: empty values left out; `scoped` adds the operator's chosen account.
function query(params, scoped = true) {
  const q = new URLSearchParams();
  for (const [name, value] of Object.entries(params || {})) {
    if (value !== "" && value !== null && value !== undefined) q.set(name, value);
  }
  if (scoped && state.me && state.me.operator && state.account !== "") q.set("cdn_id", state.account);
  const text = q.toString();
  return text ? "?" + text : "";
}

function ticketPath(key, rest = "") {
  return "tickets/" + encodeURIComponent(key) + rest;
}

// ---------------------------------------------------------------- session and navigation

async function loadMe() {
  try {
    state.me = await api("GET", "me");
  } catch (err) {
    state.me = null;
  }
  if (state.me && state.me.operator) await loadAccounts();
  showSessionBar();
  return state.me !== null;
}

async function loadAccounts() {
  state.accounts = await api("GET", "accounts");
  state.account = sessionStorage.getItem("sevu-console-account") || "";
}

// The header: who is logged in, the operator's account picker, logout.
function showSessionBar() {
  const me = state.me;
  document.getElementById("nav").hidden = !me;
  document.getElementById("session").hidden = !me;
  document.getElementById("picker").hidden = !(me && me.operator);
  if (!me) return;
  // The login ends at `expires` whatever happens on the page; say when.
  const until = me.expires ? ", until " + utc(me.expires).slice(0, 16) + " UTC" : "";
  document.getElementById("who").textContent = (me.operator
    ? "Operator" : "Account " + me.cdn_id + " (" + me.username + ")") + until;
  if (me.operator) fillPicker();
}

function fillPicker() {
  const picker = document.getElementById("account-picker");
  const options = [["", "Every account"], ["0", "Unmatched keys (no ticket)"]]
    .concat(state.accounts.map((a) => [String(a.cdn_id), a.cdn_id + " " + a.username + (a.active ? "" : " (disabled)")]));
  picker.replaceChildren(...options.map(([v, text]) => el("option", {value: v, selected: v === state.account}, text)));
}

function pickAccount(event) {
  state.account = event.target.value;
  sessionStorage.setItem("sevu-console-account", state.account);
  route();
}

async function logout() {
  try {
    await api("POST", "logout");
  } finally {
    state.me = null;
    state.account = "";
    sessionStorage.removeItem("sevu-console-account");
    showSessionBar();
    location.hash = "#/login";
  }
}

const ROUTES = [
  [/^#\/login$/, () => showLogin()],
  [/^#\/timeline$/, () => showTimeline()],
  [/^#\/tickets$/, () => showTickets()],
  [/^#\/tickets\/([^/]+)$/, (m) => showTicket(decodeURIComponent(m[1]))],
  [/^#\/stream-users$/, () => showStreamUsers()],
];

// Shows the page the address names; anything but the login page needs a session.
async function route() {
  stopTimers();
  state.page++;
  const hash = location.hash || "#/timeline";
  if (hash !== "#/login" && !state.me) {
    location.hash = "#/login";
    return;
  }
  const found = ROUTES.map(([re, show]) => [hash.match(re), show]).find(([m]) => m);
  markCurrentNav(hash);
  if (found) await found[1](found[0]);
  else location.hash = "#/timeline";
}

function markCurrentNav(hash) {
  for (const link of document.querySelectorAll("nav a")) {
    const current = hash === link.getAttribute("href") || hash.startsWith(link.getAttribute("href") + "/");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function every(ms, fn) {
  state.timers.push(setInterval(fn, ms));
}

function stopTimers() {
  state.timers.forEach(clearInterval);
  state.timers = [];
}

function focusById(id) {
  const node = document.getElementById(id);
  if (node) node.focus();
}

// Puts a page into <main>; focus moves to its heading so a screen reader announces it.
function showPage(title, ...content) {
  const heading = el("h1", {tabindex: "-1"}, title);
  const main = document.getElementById("main");
  main.replaceChildren(heading);
  appendKids(main, content);
  document.title = title + " · sevu console";
  heading.focus();
}

// Ticket and stream-user pages belong to one account: the operator must pick one.
function needsAccount(title) {
  if (!state.me.operator || (state.account !== "" && state.account !== "0")) return false;
  showPage(title, el("p", {}, "Choose an account in the picker at the top to see its " + title.toLowerCase() + "."));
  return true;
}

// ---------------------------------------------------------------- login

function showLogin() {
  if (state.me) {
    location.hash = "#/timeline";
    return;
  }
  const account = form("login-account", [
    field("Account (cdn id)", input("cdn_id", {inputmode: "numeric", autocomplete: "username", required: true})),
    field("Secret", input("secret", {type: "password", autocomplete: "current-password", required: true}),
      "The account's 64-character API secret."),
  ], "Log in", (v) => login({cdn_id: Number(v.cdn_id), secret: v.secret}));
  const operator = form("login-operator", [
    field("Operator token", input("admin_token", {type: "password", autocomplete: "current-password", required: true}),
      "The server's --console-admin-token."),
  ], "Log in as operator", (v) => login({admin_token: v.admin_token}));
  showPage("Log in", el("div.login", {},
    el("section.panel", {"aria-labelledby": "h-account"}, el("h2", {id: "h-account"}, "Account"), account),
    el("section.panel", {"aria-labelledby": "h-operator"}, el("h2", {id: "h-operator"}, "Operator"), operator)));
}

async function login(body) {
  try {
    state.me = await api("POST", "login", body);
  } catch (err) {
    // One answer for every wrong credential (the server reveals nothing more).
    if (err.status === 401) throw new ApiError(401, {message: "Those credentials were not accepted."});
    throw err;
  }
  if (state.me.operator) await loadAccounts();
  showSessionBar();
  location.hash = "#/timeline";
}

// ---------------------------------------------------------------- attempts timeline

function showTimeline() {
  const view = {rows: [], maxId: 0, range: 3600, filters: {}};
  const chart = el("figure.chart", {id: "chart-box"});
  const rows = el("div.table-wrap", {id: "attempt-box"});
  const older = button("Show older attempts", () => loadOlder(view, rows), "secondary");
  const live = el("p.live", {id: "live"});
  const filters = timelineForm(view, chart, rows, live);
  const scope = state.me.operator ? operatorScopeText() : null;
  showPage("Attempts", scope, filters, chart, el("h2", {}, "Attempts"), live, rows, el("div.pager", {}, older));
  return refreshTimeline(view, chart, rows, live);
}

function operatorScopeText() {
  const text = state.account === "" ? "Every account." : state.account === "0"
    ? "Attempts whose key matched no ticket." : "Account " + state.account + ".";
  return el("p.hint", {}, "Showing: " + text + " Change it with the account picker above.");
}

function timelineForm(view, chart, rows, live) {
  const range = select("range", RANGES, view.range);
  const from = input("from", {type: "datetime-local", step: 60});
  const to = input("to", {type: "datetime-local", step: 60});
  const custom = el("div.field", {hidden: true}, field("From (UTC)", from), field("To (UTC)", to));
  range.addEventListener("change", () => { custom.hidden = range.value !== "0"; });
  const fields = [field("Range", range), custom,
    field("Key", input("key", {autocomplete: "off"})), field("App", input("app")), field("Video", input("video")),
    field("IP", input("ip")), field("Reason", input("reason", {placeholder: "Token Revoked"})),
    field("Result", select("result", [["", "Both"], ["granted", "Granted"], ["denied", "Denied"]], ""))];
  return form("timeline-filters", fields, "Show", (v) => {
    view.range = Number(v.range);
    view.custom = view.range === 0 ? customRange(v) : null;
    view.filters = {key: v.key, app: v.app, video: v.video, ip: v.ip, reason: v.reason, result: v.result};
    return refreshTimeline(view, chart, rows, live);
  });
}

// datetime-local gives no zone: the console reads it as UTC, like every time it shows.
function customRange(v) {
  const parse = (text) => Math.floor(Date.parse(text + "Z") / 1000);
  const from = parse(v.from), to = parse(v.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new ApiError(400, {message: "Give both ends of a custom range.", field: "from"});
  }
  return {from, to};
}

// A preset range ends at the server's now (ticket time), not this browser's:
// the two may differ, and the test clock moves only the server's.
function timeRange(view) { return view.custom || {last: view.range}; }

// Reloads the chart and the newest rows, then (for a range ending now) polls for new rows.
async function refreshTimeline(view, chart, rows, live) {
  stopTimers();
  const page = state.page;
  const params = {...view.filters, ...timeRange(view)};
  const [timeline, attempts] = await Promise.all([
    api("GET", "timeline" + query(params)),
    api("GET", "attempts" + query({...params, limit: 100}))]);
  if (page !== state.page) return;
  drawChart(chart, timeline);
  view.rows = attempts.rows;
  view.maxId = attempts.rows.reduce((m, r) => Math.max(m, r.id), 0);
  rows.replaceChildren(attemptsTable("attempt-rows", view.rows));
  live.textContent = view.custom ? "" : "New attempts appear here as they happen.";
  if (!view.custom) every(POLL_MS, () => pollAttempts(view, chart, rows));
}

// The live part: rows newer than the newest shown (oldest first), put on top.
async function pollAttempts(view, chart, rows) {
  const page = state.page;
  const params = {...view.filters, ...timeRange(view)};
  const fresh = await api("GET", "attempts" + query({...params, after_id: view.maxId, limit: 500}));
  if (page !== state.page || fresh.rows.length === 0) return;
  view.maxId = fresh.rows.reduce((m, r) => Math.max(m, r.id), view.maxId);
  // The newest rows stay; a page left open all day must not grow without bound.
  view.rows = fresh.rows.slice().reverse().concat(view.rows).slice(0, MAX_ROWS);
  rows.replaceChildren(attemptsTable("attempt-rows", view.rows, new Set(fresh.rows.map((r) => r.id))));
  drawChart(chart, await api("GET", "timeline" + query(params)));
}

async function loadOlder(view, rows) {
  if (view.rows.length === 0) return;
  const minId = Math.min(...view.rows.map((r) => r.id));
  const params = {...view.filters, ...timeRange(view), before_id: minId, limit: 100};
  const older = await api("GET", "attempts" + query(params));
  if (older.rows.length === 0) notify("No older attempts in this range.");
  view.rows = view.rows.concat(older.rows);
  rows.replaceChildren(attemptsTable("attempt-rows", view.rows));
}

function attemptsTable(id, list, fresh) {
  const operator = state.me.operator;
  const columns = ["Time (UTC)", "Result", "Reason", "Key", "App", "Video", "IP", "Server"]
    .concat(operator ? ["Account"] : []);
  if (list.length === 0) return el("p.empty", {id}, "No attempts in this range.");
  const node = table(id, "Attempts, newest first", columns, list, (a) => [utc(a.datetime),
    el("span." + a.result, {}, a.result), a.reason, keyCell(a.key), a.app, a.video, a.ip, a.server]
    .concat(operator ? [a.cdn_id ? String(a.cdn_id) : "none"] : []));
  if (fresh) markFresh(node, list, fresh);
  return node;
}

function keyCell(key) {
  if (!key) return "";
  // Only the operator's "every account" view lacks one account to open a ticket in.
  if (state.me.operator && (state.account === "" || state.account === "0")) return el("span.mono", {}, key);
  return el("a.mono", {href: "#/tickets/" + encodeURIComponent(key)}, key);
}

function markFresh(node, list, fresh) {
  node.querySelectorAll("tbody tr").forEach((tr, i) => {
    if (fresh.has(list[i].id)) tr.classList.add("new");
  });
}

// ---------------------------------------------------------------- the chart (plain SVG)

// Stacked bars, one per time step: granted at the bottom, then each denial reason. Drawn
// at the box's own width (not scaled), so its labels stay readable on a phone.
function drawChart(box, tl) {
  const width = Math.max(300, Math.floor(box.clientWidth || 600)), height = 220;
  const area = {left: 40, right: width - 8, top: 10, bottom: height - 24};
  const series = orderSeries(tl.series);
  const totals = tl.minutes.map((_, i) => series.reduce((sum, s) => sum + s.counts[i], 0));
  const max = niceMax(Math.max(1, ...totals));
  const chart = svg("svg", {id: "chart", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-labelledby": "chart-title chart-desc"},
  svg("title", {id: "chart-title"}, "Grants and denials per " + stepName(tl.step)),
  svg("desc", {id: "chart-desc"}, chartSummary(tl, series)));
  drawAxes(chart, tl, area, max);
  drawBars(chart, tl, series, area, max);
  box.replaceChildren(chart, el("figcaption", {}, chartSummary(tl, series)), legend(series));
  // A narrower window redraws at its width; once per chart box is enough.
  if (!box.dataset.watch) {
    box.dataset.watch = "1";
    addEventListener("resize", () => { if (box.isConnected && box.lastTl) drawChart(box, box.lastTl); });
  }
  box.lastTl = tl;
}

function orderSeries(series) {
  const granted = series.filter((s) => s.result === "granted");
  const denied = series.filter((s) => s.result !== "granted").sort((a, b) => a.reason.localeCompare(b.reason));
  return granted.concat(denied);
}

function niceMax(n) {
  // Even steps, so the middle grid line has a whole-number label too.
  const steps = [2, 4, 6, 8, 10, 20, 40, 60, 80, 100];
  const scale = Math.pow(10, Math.max(0, Math.floor(Math.log10(n)) - 1));
  return steps.map((s) => s * scale).find((s) => s >= n) || n;
}

function stepName(step) {
  return step === 60 ? "minute" : step % 3600 === 0 ? step / 3600 + " hours" : step / 60 + " minutes";
}

// A play's grant is "Success"; any other granted reason (a publish's "Publish
// Authorized") is named, so two green series never read alike.
function playGrant(s) { return s.result === 'granted' && (s.reason === 'Success' || !s.reason); }

function seriesName(s) {
  if (playGrant(s)) return 'Granted';
  return (s.result === 'granted' ? 'Granted: ' : 'Denied: ') + (s.reason || 'no reason');
}

function colourOf(s) {
  if (s.result === 'granted')
    return REASON_COLOURS[playGrant(s) ? '' : s.reason] || REASON_COLOURS[''];
  if (s.reason in REASON_COLOURS) return REASON_COLOURS[s.reason];
  let hash = 0;
  for (const ch of s.reason) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return SPARE_COLOURS[hash % SPARE_COLOURS.length];
}

// The chart's text alternative: the totals it shows, in words.
function chartSummary(tl, series) {
  const sum = (s) => s.counts.reduce((a, b) => a + b, 0);
  const granted = series.filter((s) => s.result === "granted").reduce((a, s) => a + sum(s), 0);
  const denials = series.filter((s) => s.result !== "granted" && sum(s) > 0);
  const denied = denials.reduce((a, s) => a + sum(s), 0);
  const detail = denials.map((s) => (s.reason || "no reason") + " " + sum(s)).join(", ");
  return `From ${utc(tl.from)} to ${utc(tl.to)} UTC: ${granted} granted, ${denied} denied` +
    (detail ? ` (${detail}).` : ".");
}

function drawAxes(chart, tl, area, max) {
  const y = (v) => area.bottom - (v / max) * (area.bottom - area.top);
  for (const v of [0, max / 2, max]) {
    chart.append(svg("line", {class: v ? "grid" : "axis", x1: area.left, x2: area.right, y1: y(v), y2: y(v)}),
      svg("text", {x: area.left - 6, y: y(v) + 4, "text-anchor": "end"}, String(Math.round(v))));
  }
  const n = tl.minutes.length, ticks = Math.min(6, n);
  const slot = (area.right - area.left) / Math.max(1, n);
  for (let t = 0; t < ticks; t++) {
    const i = Math.round((t * (n - 1)) / Math.max(1, ticks - 1));
    // The outer labels lean inwards, so the first and last stay inside the chart.
    const anchor = t === 0 ? "start" : t === ticks - 1 ? "end" : "middle";
    chart.append(svg("text", {x: area.left + slot * (i + 0.5), y: area.bottom + 16, "text-anchor": anchor},
      tl.step >= 86400 ? utc(tl.minutes[i]).slice(5, 10) : hhmm(tl.minutes[i])));
  }
}

function drawBars(chart, tl, series, area, max) {
  const slot = (area.right - area.left) / Math.max(1, tl.minutes.length);
  const scale = (area.bottom - area.top) / max;
  tl.minutes.forEach((minute, i) => {
    let top = area.bottom;
    for (const s of series) {
      const count = s.counts[i];
      if (!count) continue;
      top -= count * scale;
      chart.append(svg("rect", {class: "bar", x: area.left + slot * i + 0.5, y: top,
        width: Math.max(1, slot - 1), height: count * scale, fill: colourOf(s)},
      svg("title", {}, `${hhmm(minute)} UTC, ${seriesName(s)}: ${count}`)));
    }
  });
}

function legend(series) {
  const sum = (s) => s.counts.reduce((a, b) => a + b, 0);
  const items = series.filter((s) => playGrant(s) || sum(s) > 0).map((s) => {
    const swatch = el("span.swatch", {"aria-hidden": "true"});
    swatch.style.background = colourOf(s);  // CSSOM, which the CSP allows (not a style attribute)
    return el("li", {}, swatch, seriesName(s) + ": " + sum(s));
  });
  return el("ul.legend", {"aria-label": "Legend"}, items);
}

// ---------------------------------------------------------------- tickets

function showTickets() {
  if (needsAccount("Tickets")) return;
  const view = {q: "", offset: 0};
  const list = el("div.table-wrap", {id: "ticket-box"});
  const pager = el("div.pager", {});
  const search = form("ticket-search", [field("Search", input("q", {type: "search"}),
    "A key's beginning, or an app or video name.")], "Search", (v) => {
    Object.assign(view, {q: v.q, offset: 0});
    return loadTickets(view, list, pager);
  });
  showPage("Tickets", el("section.panel", {}, search), list, pager,
    el("section.panel", {"aria-labelledby": "h-create"}, el("h2", {id: "h-create"}, "Create a ticket"), createTicketForm()));
  return loadTickets(view, list, pager);
}

async function loadTickets(view, list, pager) {
  const page = await api("GET", "tickets" + query({q: view.q, offset: view.offset, limit: PAGE_SIZE}));
  const columns = ["Key", "App", "Video", "Uses left", "Expires (UTC)", "State"];
  list.replaceChildren(page.rows.length === 0 ? el("p.empty", {id: "ticket-rows"}, "No tickets found.")
    : table("ticket-rows", "Tickets, newest first", columns, page.rows, (t) => [
      el("a.mono", {href: "#/tickets/" + encodeURIComponent(t.key)}, t.key), t.app, t.video,
      String(t.uses), t.expire_date, t.active ? "active" : "revoked"]));
  pager.replaceChildren(...pagerParts(view, page, () => loadTickets(view, list, pager)));
}

function pagerParts(view, page, reload) {
  const first = page.total === 0 ? 0 : view.offset + 1;
  const last = view.offset + page.rows.length;
  const move = (delta) => () => { view.offset = Math.max(0, view.offset + delta); reload(); };
  const prev = button("Previous", move(-PAGE_SIZE), "secondary");
  const next = button("Next", move(PAGE_SIZE), "secondary");
  prev.disabled = view.offset === 0;
  next.disabled = last >= page.total;
  return [prev, el("span", {}, `${first}–${last} of ${page.total}`), next];
}

function createTicketForm() {
  const app = state.me.operator ? "" : state.me.username + "-";
  return form("ticket-create", [
    field("App", input("app", {value: app, required: true}), "Pipe list of patterns, each beginning <username>-"),
    field("Video", input("video", {required: true}), "Pipe list; * matches anything"),
    field("Pass", input("pass", {required: true, autocomplete: "off"})),
    field("Uses", input("uses", {type: "number", min: 1, value: 1, required: true})),
    field("Expires", input("expire", {value: "+1 day", required: true}), "Any date the legacy API takes: +1 day, 2027-01-31 12:00"),
    field("IP", input("ip"), "Optional: pipe list of addresses, ranges, auto"),
    field("Max viewers", input("max_viewers", {type: "number", min: 0, value: 0}), "0 = no limit"),
    field("When full", select("when_full", WHEN_FULL, "deny")),
  ], "Create ticket", async (v) => {
    const body = {...v, uses: Number(v.uses), max_viewers: viewerLimit(v)};
    const ticket = await api("POST", "tickets" + query(), body);
    notify("Ticket " + ticket.key + " created.");
    location.hash = "#/tickets/" + encodeURIComponent(ticket.key);
  });
}

// ---------------------------------------------------------------- one ticket

async function showTicket(key) {
  if (needsAccount("Tickets")) return;
  let ticket;
  try {
    ticket = await api("GET", ticketPath(key) + query());
  } catch (err) {
    if (err.status !== 404) throw err;
    showPage("Ticket not found", el("p", {}, "No ticket " + key + " in this account."), el("a", {href: "#/tickets"}, "All tickets"));
    return;
  }
  const sessions = el("div.table-wrap", {id: "session-box"});
  const attempts = el("div.table-wrap", {id: "ticket-attempt-box"});
  showPage("Ticket " + key, el("p", {}, el("a", {href: "#/tickets"}, "← All tickets")), ticketFacts(ticket),
    revokeBlock(ticket), el("section.panel", {"aria-labelledby": "h-limits"},
      el("h2", {id: "h-limits"}, "Viewer limit"), limitsForm(ticket)),
    el("h2", {id: "h-sessions", tabindex: "-1"}, "Live sessions"), sessions, el("h2", {}, "Attempts"), attempts);
  await Promise.all([loadSessions(key, sessions), loadTicketAttempts(key, attempts)]);
  every(SESSION_POLL_MS, () => loadSessions(key, sessions));
}

function ticketFacts(t) {
  return facts([["Key", el("span.mono", {}, t.key)], ["State", t.active ? "active" : "revoked"],
    ["App", t.app], ["Video", t.video], ["IP", t.ip || "any"], ["Uses left", String(t.uses)],
    ["Created (UTC)", t.created_date], ["Expires (UTC)", t.expire_date], ["Last used (UTC)", t.used_date]]);
}

// Revoking cannot be undone: the first press asks, the second revokes.
function revokeBlock(ticket) {
  if (!ticket.active) return el("p", {id: "revoked"}, "This ticket is revoked.");
  const box = el("div.actions", {id: "revoke-box"});
  const ask = button("Revoke ticket", () => {
    const yes = button("Yes, revoke it", () => revoke(ticket.key), "danger");
    box.replaceChildren(el("span", {}, "Revoke " + ticket.key + "? Its viewers are refused at their next contact."),
      yes, button("Cancel", () => { box.replaceChildren(ask); ask.focus(); }, "secondary"));
    yes.focus();
  }, "danger");
  box.append(ask);
  return box;
}

async function revoke(key) {
  await api("POST", ticketPath(key, "/revoke") + query());
  notify("Ticket " + key + " revoked.");
  route();
}

// A number field left empty (or holding what is no number, which the browser
// gives as "") is named, not read as 0, which would mean "no limit".
function viewerLimit(v) {
  if (!/^\d+$/.test(v.max_viewers)) {
    throw new ApiError(400, {message: "Give the most viewers at once (0 = no limit).", field: "max_viewers"});
  }
  return Number(v.max_viewers);
}

function limitsForm(ticket) {
  const limits = ticket.limits || {max_viewers: 0, when_full: "deny"};
  return form("ticket-limits", [
    field("Max viewers", input("max_viewers", {type: "number", min: 0, value: limits.max_viewers}), "0 = no limit"),
    field("When full", select("when_full", WHEN_FULL, limits.when_full)),
  ], "Save limit", async (v) => {
    await api("PUT", ticketPath(ticket.key, "/limits") + query(), {max_viewers: viewerLimit(v), when_full: v.when_full});
    notify("Viewer limit saved.");
  });
}

async function loadSessions(key, box) {
  const list = await api("GET", ticketPath(key, "/sessions") + query());
  if (list.length === 0) {
    box.replaceChildren(el("p.empty", {id: "session-rows"}, "No live sessions."));
    return;
  }
  const columns = ["Started (UTC)", "Last seen (UTC)", "IP", "App", "Video", "Media server", "Protocol", "Action"];
  box.replaceChildren(table("session-rows", "Live sessions, oldest first", columns, list, (s) => [s.started, s.last_seen,
    s.ip, s.app, s.video, s.media_server, s.protocol, endButton(key, s, box)]));
}

function endButton(key, session, box) {
  const end = button("End", async () => {
    end.disabled = true;
    await api("DELETE", ticketPath(key, "/sessions/" + encodeURIComponent(session.id)) + query());
    notify("Session ended: the viewer is refused at its next contact.");
    await loadSessions(key, box);
    focusById("h-sessions");  // the button went with the rebuilt table
  }, "danger");
  end.setAttribute("aria-label", "End the session of " + session.ip + " started " + session.started);
  end.dataset.session = session.id;
  return end;
}

async function loadTicketAttempts(key, box) {
  const list = await api("GET", ticketPath(key, "/attempts") + query({limit: 100}));
  box.replaceChildren(attemptsTable("ticket-attempt-rows", list.rows));
}

// ---------------------------------------------------------------- stream users

const SEGMENT_TYPES = [["disabled", "disabled"], ["size", "size (MB)"], ["duration", "duration (minutes)"], ["schedule", "schedule (crontab)"]];

function showStreamUsers() {
  if (needsAccount("Stream users")) return;
  const list = el("div.table-wrap", {id: "streamuser-box"});
  const editor = el("div", {id: "streamuser-editor"});
  showPage("Stream users", list, editor, el("section.panel", {"aria-labelledby": "h-add"},
    el("h2", {id: "h-add"}, "Add a stream user"), addStreamUserForm(list, editor)));
  return loadStreamUsers(list, editor);
}

async function loadStreamUsers(list, editor) {
  const users = await api("GET", "stream-users" + query());
  const columns = ["Id", "App", "Stream", "User", "Record", "Segments", "Playlist", "DVR", "Actions"];
  list.replaceChildren(users.length === 0 ? el("p.empty", {id: "streamuser-rows"}, "No stream users.")
    : table("streamuser-rows", "Stream users, oldest first", columns, users, (u) => [String(u.id), u.app, u.stream,
      u.user === null ? "(no authentication)" : u.user, u.record ? u.record_type : "no",
      u.segment_type + (u.segment_value !== null && u.segment_value !== undefined ? " " + u.segment_value : ""),
      u.playlist_count + " × " + u.playlist_timeout + " s", u.enable_dvr ? "yes" : "no",
      streamUserActions(u, list, editor)]));
}

function streamUserActions(user, list, editor) {
  const who = `${user.app}/${user.stream} ${user.user === null ? "" : user.user}`;
  const edit = button("Change", () => openEditor(user, list, editor), "secondary");
  const remove = button("Remove", async () => {
    await api("DELETE", "stream-users/" + user.id + query());
    notify("Stream user " + who + " removed.");
    editor.replaceChildren();
    await loadStreamUsers(list, editor);
    document.querySelector("#main h1").focus();  // the button went with the rebuilt table
  }, "danger");
  edit.setAttribute("aria-label", "Change " + who);
  remove.setAttribute("aria-label", "Remove " + who);
  return el("div.actions", {}, edit, remove);
}

// The settings every stream user has; the password only ever goes in, never out.
function settingsFields(u) {
  return [
    field("Record", el("input", {type: "checkbox", name: "record", checked: !!u.record})),
    field("Record type", select("record_type", [["stream", "stream"], ["event", "event"]], u.record_type || "stream")),
    field("Segment type", select("segment_type", SEGMENT_TYPES, u.segment_type || "disabled")),
    field("Segment value", input("segment_value", {value: u.segment_value ?? ""}), "MB, minutes or a crontab"),
    field("Save folder", input("save_folder", {value: u.save_folder ?? ""})),
    field("Playlist count", input("playlist_count", {type: "number", min: 4, max: 100, value: u.playlist_count ?? 4})),
    field("Playlist timeout (s)", input("playlist_timeout", {type: "number", min: 60, max: 1200, value: u.playlist_timeout ?? 600})),
    field("DVR", el("input", {type: "checkbox", name: "enable_dvr", checked: u.enable_dvr ?? true})),
    field("GA key", input("ga_key", {value: u.ga_key ?? ""})),
  ];
}

// The settings as the API takes them: numbers as numbers; an empty segment value omitted.
function settingsBody(v) {
  const body = {record: v.record, record_type: v.record_type, segment_type: v.segment_type,
    save_folder: v.save_folder, playlist_count: Number(v.playlist_count), playlist_timeout: Number(v.playlist_timeout),
    enable_dvr: v.enable_dvr, ga_key: v.ga_key};
  if (v.segment_value !== "") body.segment_value = /^\d+$/.test(v.segment_value) ? Number(v.segment_value) : v.segment_value;
  return body;
}

function addStreamUserForm(list, editor) {
  return form("streamuser-add", [
    field("App", input("app", {required: true})),
    field("Stream", input("stream", {required: true}), "* for every stream of the app"),
    field("User", input("user", {autocomplete: "off"}), "Leave user and password empty to publish without them"),
    field("Password", input("pass", {type: "password", autocomplete: "new-password"}), "Stored only as a hash"),
    settingsFields({}),
  ], "Add stream user", async (v, node) => {
    // Both empty: a stream user without authentication (null and null, as the API takes it).
    const open = v.user === "" && v.pass === "";
    const body = {app: v.app, stream: v.stream, user: open ? null : v.user, pass: open ? null : v.pass, ...settingsBody(v)};
    await api("POST", "stream-users" + query(), body);
    node.reset();
    notify("Stream user " + (open ? v.app + "/" + v.stream + " (no authentication)" : v.user) + " added.");
    await loadStreamUsers(list, editor);
  });
}

function openEditor(user, list, editor) {
  const who = `${user.app}/${user.stream} ${user.user === null ? "" : user.user}`;
  const edit = form("streamuser-edit", [settingsFields(user),
    field("New password", input("pass", {type: "password", autocomplete: "new-password"}), "Leave empty to keep the current one"),
  ], "Save changes", async (v) => {
    const body = settingsBody(v);
    if (v.pass !== "") body.pass = v.pass;
    await api("PUT", "stream-users/" + user.id + query(), body);
    notify("Stream user " + who + " changed.");
    editor.replaceChildren();
    await loadStreamUsers(list, editor);
  });
  editor.replaceChildren(el("section.panel", {"aria-labelledby": "h-edit"},
    el("h2", {id: "h-edit", tabindex: "-1"}, "Change " + who), edit,
    button("Cancel", () => editor.replaceChildren(), "secondary")));
  editor.querySelector("h2").focus();
}

// ---------------------------------------------------------------- start

// A failed action outside a form (a poll, a button) is reported, never silently lost.
// A 401 was handled where it came (sessionLost: back to the login page), so
// the browser is told not to log it as an uncaught error.
addEventListener("unhandledrejection", (event) => {
  const err = event.reason;
  if (err instanceof ApiError && err.status === 401) event.preventDefault();
  else notify(err && err.message ? err.message : String(err));
});

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("logout").addEventListener("click", logout);
  // The address's fragment names the page, so "Skip to content" moves focus itself.
  document.querySelector(".skip").addEventListener("click", (event) => {
    event.preventDefault();
    document.getElementById("main").focus();
  });
  document.getElementById("account-picker").addEventListener("change", pickAccount);
  addEventListener("hashchange", route);
  // A session cookie from before (a reload, a second tab) logs the page straight in.
  loadMe().then(route);
});
