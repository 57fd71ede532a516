// The door scanner: pairing, scanning (camera and USB wedge), verdicts, undo, search, walk-ins, printing,
// and working offline from the roster with a queue of scans sent later. See /work/scanner-contract.md.
import {NetworkError, call, fetchPdf, paths, token} from "./api.js";
import {Camera} from "./camera.js";
import {signal, unlockAudio} from "./feedback.js";
import {allText, language, setLanguage, t, tokyoTime, translatePage} from "./i18n.js";
import {matches} from "./kana.js";
import * as store from "./store.js";

const DEBOUNCE_MS = 3000;      // the same code again within this is the camera seeing it twice
const VERDICT_MS = 2500;
const SYNC_MS = 30000;
const DEVICE_KEY = "scanner.device";
const FLAGS_KEY = "scanner.flagged";
const DIRECTION_KEY = "scanner.direction";
const CAMERA_KEY = "scanner.camera";

const $ = (id) => document.getElementById(id);
const state = {
  device: null,            // GET /api/v1/device's answer
  lastSeen: new Map(),     // code → performance.now() of its last scan
  last: null,              // the last scan, for undo: {entryId} or {seq, personBefore}
  verdictTimer: null,
  verdictAnswer: null,
  flushing: null,
  camera: null,
  stopped: false,          // switched off or closed: nothing more is sent
  walkinNonce: null,
  fullSync: false,         // the next roster sync asks for everything (after a change of language)
};
window.__scannerTimings = [];

// --- small helpers ---------------------------------------------------------------------------------

function direction() {
  return localStorage.getItem(DIRECTION_KEY) === "out" ? "out" : "in";
}

function slug() {
  return state.device.event.slug;
}

function show(id) {
  for (const screen of document.querySelectorAll(".screen")) screen.hidden = screen.id !== id;
}

function toast(text) {
  const el = $("toast");
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 4000);
}

function panelOpen() {
  return !$("search-panel").hidden || !$("walkin-panel").hidden;
}

function focusWedge() {
  // On laptops (a USB scanner types into the focused field); on phones it would open the keyboard.
  if (!panelOpen() && !$("screen-main").hidden && matchMedia("(pointer: fine)").matches) $("code-input").focus();
}

// --- pairing and who we are ----------------------------------------------------------------------------

function takeTokenFromUrl() {
  if (location.pathname.endsWith("/pair") && location.hash.length > 1) {
    const fresh = decodeURIComponent(location.hash.slice(1));
    if (fresh !== token.get()) {
      localStorage.removeItem(DEVICE_KEY);
      localStorage.removeItem(FLAGS_KEY);
    }
    token.set(fresh);
  }
  if (location.pathname.endsWith("/pair") || location.hash) history.replaceState(null, "", "/scan/");
}

async function switchedOff(reason) {
  state.stopped = true;
  if (state.camera) state.camera.stop();
  token.clear();
  localStorage.removeItem(DEVICE_KEY);
  localStorage.removeItem(FLAGS_KEY);
  await store.wipe().catch(() => {});
  const closed = reason === "checkin_closed";
  $("off-title").dataset.i18n = closed ? "closed_title" : "off_title";
  $("off-body").dataset.i18n = closed ? "closed_body" : "off_body";
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = true;
  $("verdict").hidden = true;
  translatePage();
  show("screen-off");
}

/** 401 and 410 end the device's shift; true when that happened. */
async function ended(answer) {
  if (answer.status === 401 || answer.status === 410) {
    await switchedOff(answer.status === 410 ? "checkin_closed" : "revoked");
    return true;
  }
  return false;
}

async function loadDevice() {
  try {
    const answer = await call("GET", paths.device());
    if (await ended(answer)) return false;
    if (answer.status === 200 && answer.data) {
      if (answer.data.point && answer.data.point.closed) {
        await switchedOff("checkin_closed");
        return false;
      }
      state.device = answer.data;
      localStorage.setItem(DEVICE_KEY, JSON.stringify(answer.data));
      return true;
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
  }
  const kept = localStorage.getItem(DEVICE_KEY);  // offline at start: what we knew last time
  state.device = kept ? JSON.parse(kept) : null;
  return state.device !== null;
}

function renderDevice() {
  const {device, point} = state.device;
  $("point-name").textContent = point ? point.name : "";
  $("device-name").textContent = device.name;
  const select = $("walkin-category_code");
  const chosen = select.value;
  select.replaceChildren(new Option(t("choose"), ""));
  for (const category of state.device.categories || []) select.append(new Option(category.label, category.code));
  select.value = chosen;
}

// --- status line: network, the queue, flags -----------------------------------------------------------

async function renderStatus() {
  const online = navigator.onLine;
  const net = $("net-status");
  net.textContent = online ? t("online") : t("offline");
  net.classList.toggle("is-offline", !online);
  const count = await store.queueCount().catch(() => 0);
  const pending = $("pending");
  pending.textContent = t("pending", count);
  pending.classList.toggle("has-pending", count > 0);
  pending.dataset.count = String(count);
  const banner = $("offline-banner");
  banner.hidden = online && count === 0;
  banner.textContent = online ? t("sending", count) : t("offline_banner", count);
  renderFlags();
}

function flags() {
  try {
    return JSON.parse(localStorage.getItem(FLAGS_KEY) || "[]");
  } catch {
    return [];
  }
}

function addFlag(answer, item) {
  const all = flags();
  all.push({name: answer.attendee ? answer.attendee.name : (item.label || ""), explanation: answer.explanation || "",
            at: item.body.scanned_at, entry_id: answer.entry_id});
  localStorage.setItem(FLAGS_KEY, JSON.stringify(all));
}

function renderFlags() {
  const all = flags();
  $("flagged").hidden = all.length === 0;
  $("flagged-list").replaceChildren(...all.map((flag) => {
    const li = document.createElement("li");
    const time = document.createElement("strong");
    time.textContent = `${tokyoTime(flag.at)} ${flag.name}`;
    li.append(time, document.createTextNode(` — ${flag.explanation}`));
    return li;
  }));
}

// --- verdicts ---------------------------------------------------------------------------------------

function kindOf(answer) {
  if (answer.status === "ok") return "ok";
  return answer.reason === "already_checked_in" ? "already" : "refused";
}

function showVerdict(answer, {offline = false, decodedAt = null} = {}) {
  const kind = kindOf(answer);
  const person = answer.attendee;
  const verdict = $("verdict");
  verdict.className = `verdict verdict-${kind}`;
  $("verdict-symbol").textContent = {ok: "✓", already: "!", refused: "✕"}[kind];
  $("verdict-title").textContent = kind === "ok" ? t(answer.direction === "out" ? "out_title" : "ok_title")
    : kind === "already" ? t("already_title") : t("refused_title");
  $("verdict-name").textContent = person ? person.name : "";
  $("verdict-furigana").textContent = person ? person.furigana || "" : "";
  $("verdict-company").textContent = person ? person.company || "" : "";
  $("verdict-category").textContent = person && person.category ? person.category : "";
  $("verdict-group").textContent = person && person.group ? person.group : "";
  let detail = answer.explanation || "";
  if (kind === "already") {
    detail = answer.first_checked_in_at
      ? t("first_at", tokyoTime(answer.first_checked_in_at), answer.first_device || "?") : t("first_at_unknown");
  } else if (kind === "ok") {
    detail = "";
  }
  $("verdict-detail").textContent = detail;
  $("verdict-offline").hidden = !offline;
  $("verdict-print").hidden = !(kind === "ok" && person && answer.badge_url);
  $("verdict-undo").hidden = kind !== "ok";
  state.verdictAnswer = answer;
  verdict.hidden = false;
  signal(kind);
  clearTimeout(state.verdictTimer);
  // A badge to print: kept until it is printed (printBadge then starts the 2.5 s), 10 s at most.
  const printing = kind === "ok" && answer.print_badge && answer.badge_url;
  state.verdictTimer = setTimeout(closeVerdict, printing ? 10000 : VERDICT_MS);
  if (decodedAt !== null) {
    requestAnimationFrame(() => {
      const paintedAt = performance.now();
      window.__scannerTimings.push({decodedAt, paintedAt, ms: paintedAt - decodedAt, kind, offline});
    });
  }
}

function closeVerdict() {
  clearTimeout(state.verdictTimer);
  $("verdict").hidden = true;
  focusWedge();
}

// --- scanning ------------------------------------------------------------------------------------------

function nowIso() {
  return new Date().toISOString();
}

function seenRecently(code) {
  const now = performance.now();
  const before = state.lastSeen.get(code);
  state.lastSeen.set(code, now);
  return before !== undefined && now - before < DEBOUNCE_MS;
}

async function scanCode(text, decodedAt = performance.now()) {
  const code = text.trim();
  if (!code || state.stopped || seenRecently(code)) return;
  if (code.startsWith(`${location.origin}/scan/pair#`)) {  // another device's pairing code: become that device
    location.assign(code);
    return;
  }
  await submitScan({code}, decodedAt);
}

async function submitScan(what, decodedAt = performance.now()) {
  const body = {...what, nonce: crypto.randomUUID(), direction: direction(), scanned_at: nowIso()};
  for (let attempt = 0; attempt < 3; attempt += 1) {
    let answer;
    try {
      answer = await call("POST", paths.checkins(slug()), {body});
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      await scanOffline(body, decodedAt);
      return;
    }
    if (await ended(answer)) return;
    if (answer.status === 429) {
      toast(t("busy"));
      await new Promise((resolve) => setTimeout(resolve, Math.min(answer.retryAfter || 1, 5) * 1000));
      continue;
    }
    const data = answer.data || {status: "error", reason: "invalid_request", explanation: t("server_error")};
    showVerdict(data, {decodedAt});
    state.last = data.entry_id ? {entryId: data.entry_id} : null;
    if (data.status === "ok" && data.print_badge && data.badge_url) printBadge(data.badge_url);
    updateRosterFromAnswer(data);
    renderStatus();
    return;
  }
  await scanOffline(body, decodedAt);  // still refused after waiting: do not lose the scan
}

/** Keep the roster's idea of who is inside in step with what the server just said. */
async function updateRosterFromAnswer(answer) {
  if (!answer.attendee || answer.status !== "ok") return;
  const person = await store.personById(answer.attendee.registration_id).catch(() => null);
  if (!person) return;
  person.inside = answer.direction !== "out";
  if (!person.first_checked_in_at) {
    person.first_checked_in_at = answer.first_checked_in_at;
    person.first_device = answer.first_device;
  }
  await store.putPerson(person);
}

// What the roster says about a scan (the contract's offline rules), and its local effect.
function offlineDecision(found, scan, deviceName) {
  const {person, retired} = found;
  const answer = {status: "error", reason: "invalid", direction: scan.direction, attendee: person ? person.attendee : null,
                  first_checked_in_at: person ? person.first_checked_in_at : null,
                  first_device: person ? person.first_device : null};
  if (!person) return {...answer, attendee: null, explanation: t("offline_invalid")};
  if (retired) return {...answer, reason: "reissued", explanation: t("offline_reissued")};
  if (!person.admissible) {
    const reason = person.reason || "not_on_list";
    return {...answer, reason, explanation: t(`offline_${reason}`)};
  }
  if (scan.direction === "in") {
    if (person.inside) return {...answer, reason: "already_checked_in", explanation: ""};
    person.inside = true;
    if (!person.first_checked_in_at) {
      person.first_checked_in_at = scan.scanned_at;
      person.first_device = deviceName;
    }
    return {...answer, status: "ok", reason: null, changed: person};
  }
  if (person.inside) {
    person.inside = false;
    return {...answer, status: "ok", reason: null, changed: person};
  }
  return {...answer, reason: person.first_checked_in_at ? "already_checked_out" : "not_checked_in",
          explanation: t(person.first_checked_in_at ? "offline_already_out" : "offline_not_checked_in")};
}

async function scanOffline(body, decodedAt) {
  let found = {person: null, retired: false};
  if (body.code !== undefined) found = await store.personByHash(await store.sha256Hex(body.code));
  else found.person = await store.personById(body.registration_id);
  const before = found.person ? structuredClone(found.person) : null;
  const haveRoster = (await store.cursor()) !== null;
  let answer = offlineDecision(found, body, state.device.device.name);
  if (!haveRoster) answer = {...answer, status: "error", reason: "invalid", explanation: t("offline_no_roster")};
  if (answer.changed) await store.putPerson(answer.changed);
  const seq = await store.enqueue({
    token: token.get(), slug: slug(), label: answer.attendee ? answer.attendee.name : body.code || "",
    body: {...body, queued: true, offline_verdict: answer.status === "ok" ? "ok"
      : answer.reason === "already_checked_in" ? "already_checked_in" : "error"},
  });
  state.last = {seq, personBefore: answer.changed ? before : null};
  showVerdict(answer, {offline: true, decodedAt});
  renderStatus();
}

// --- the queue: sent in order when the network is back ---------------------------------------------

function flushQueue() {
  if (!state.flushing) state.flushing = sendQueued().finally(() => { state.flushing = null; renderStatus(); });
  return state.flushing;
}

async function sendQueued() {
  for (const item of await store.queued()) {
    if (state.stopped || !navigator.onLine) return;
    let answer;
    try {
      answer = await call("POST", paths.checkins(item.slug), {body: item.body, bearer: item.token});
    } catch (error) {
      if (error instanceof NetworkError) return;  // try again on the next timer or 'online'
      throw error;
    }
    if (answer.status === 429) return;
    if (item.token === token.get() && (await ended(answer))) return;
    await store.dequeue(item.seq);
    if (state.last && state.last.seq === item.seq) {
      state.last = answer.data && answer.data.entry_id ? {entryId: answer.data.entry_id} : null;
    }
    const data = answer.data || {};
    // A flagged admission, or a scan the server could not take (409/422): staff must look at it.
    if (data.flagged || (answer.status !== 200 && answer.status !== 401 && answer.status !== 410)) addFlag(data, item);
    renderStatus();
  }
}

// --- the roster ---------------------------------------------------------------------------------------

async function syncRoster() {
  if (state.stopped || !navigator.onLine || !state.device) return;
  await flushQueue();
  if ((await store.queueCount()) > 0) return;  // the server does not know our offline scans yet
  try {
    const since = state.fullSync ? null : await store.cursor();
    const answer = await call("GET", paths.roster(slug(), since), {timeout: 20000});
    if (await ended(answer)) return;
    if (answer.status === 200 && answer.data && Array.isArray(answer.data.people)) {
      await store.saveRoster({full: Boolean(answer.data.full) || !since, people: answer.data.people,
                              cursor: answer.data.cursor});
      state.fullSync = false;
      document.body.dataset.roster = "synced";
      warmFonts(answer.data.people.map((p) => p.attendee && [p.attendee.name, p.attendee.furigana, p.attendee.company,
                                                             p.attendee.category, p.attendee.group].join("")).join(""));
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
  }
}

// --- undo -----------------------------------------------------------------------------------------------

async function undo() {
  const last = state.last;
  closeVerdict();
  if (!last) {
    toast(t("undo_nothing"));
    return;
  }
  if (last.seq !== undefined) {
    const item = await store.queuedItem(last.seq);
    if (item) {
      await store.dequeue(last.seq);
      if (last.personBefore) await store.putPerson(last.personBefore);
      state.last = null;
      toast(t("undo_dropped"));
      renderStatus();
      return;
    }
    await flushQueue();  // being sent just now: undo it on the server once it has its entry id
    if (!state.last || state.last.entryId === undefined) {
      toast(t("undo_nothing"));
      return;
    }
  }
  try {
    const answer = await call("POST", paths.undo(slug(), state.last.entryId), {body: {}});
    if (await ended(answer)) return;
    const data = answer.data || {};
    toast(data.explanation || t(data.status === "ok" ? "undone" : "server_error"));
    if (data.status === "ok") {
      state.last = null;
      if (data.attendee) {
        const person = await store.personById(data.attendee.registration_id);
        if (person) await store.putPerson({...person, inside: false});
      }
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    toast(t("walkin_offline").split("。")[0]);
  }
}

// --- printing on arrival -----------------------------------------------------------------------------

async function printBadge(url) {
  toast(t("printing"));
  try {
    const blob = await fetchPdf(url);
    const frame = $("print-frame");
    if (frame.dataset.blob) URL.revokeObjectURL(frame.dataset.blob);
    const blobUrl = URL.createObjectURL(blob);
    frame.dataset.blob = blobUrl;
    frame.onload = () => {
      try {
        // Tests replace the print dialog (headless Chromium cannot print a framed PDF) through this hook.
        if (window.__scannerPrintHook) window.__scannerPrintHook(frame);
        else {
          frame.contentWindow.focus();
          frame.contentWindow.print();
        }
        holdVerdict();
        $("toast").hidden = true;
      } catch {
        window.open(blobUrl, "_blank");  // a browser that will not print a framed PDF: show it instead
      }
    };
    frame.src = blobUrl;
  } catch {
    toast(t("print_failed"));
    holdVerdict();
  }
}

/** The name stays on screen while the badge comes out (to hand it to the right person), then 2.5 s more. */
function holdVerdict() {
  if ($("verdict").hidden) return;
  clearTimeout(state.verdictTimer);
  state.verdictTimer = setTimeout(closeVerdict, VERDICT_MS);
}

// --- search ------------------------------------------------------------------------------------------

function statusText(result) {
  if (result.status === "cancelled") return t("status_cancelled");
  if (result.status === "waitlisted") return t("status_waitlisted");
  return result.inside ? t("status_inside") : t("status_not_yet");
}

function renderResults(results) {
  const list = $("search-results");
  list.replaceChildren(...results.map((result) => {
    const person = result.attendee;
    const li = document.createElement("li");
    li.className = `result ${result.inside ? "is-inside" : ""}`;
    li.lang = language();
    const furigana = document.createElement("span");
    furigana.className = "result-furigana";
    furigana.lang = "ja";
    furigana.textContent = person.furigana || "";
    const name = document.createElement("strong");
    name.className = "result-name";
    name.lang = "ja";
    name.textContent = person.name;
    const meta = document.createElement("span");
    meta.className = "result-meta";
    meta.textContent = [person.company, person.category, person.group, person.receipt_code && `${t("receipt_code")} ${person.receipt_code}`]
      .filter(Boolean).join(" · ");
    const status = document.createElement("span");
    status.className = `result-status status-${result.inside ? "inside" : result.status}`;
    status.textContent = statusText(result);
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = t("check_in_this");
    button.setAttribute("aria-label", `${t("check_in_this")}: ${person.name}`);
    button.addEventListener("click", async () => {
      closePanels();
      await submitScan({registration_id: person.registration_id});
    });
    li.append(furigana, name, meta, status, button);
    return li;
  }));
  $("search-note").textContent = results.length ? $("search-note").textContent : t("search_none");
}

async function search(query) {
  const q = query.trim();
  if (!q) return;
  $("search-note").textContent = "";
  try {
    const answer = await call("GET", paths.search(slug(), q));
    if (await ended(answer)) return;
    if (answer.status === 200 && answer.data) {
      renderResults(answer.data.results.map((r) => ({...r, status: r.registration_status})));
      return;
    }
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
  }
  const people = (await store.allPeople()).filter((person) => matches(person.search, q)).slice(0, 20);
  $("search-note").textContent = t("search_offline");
  renderResults(people);
}

// --- walk-ins ---------------------------------------------------------------------------------------

const WALKIN_FIELDS = ["family_name", "given_name", "family_kana", "given_kana", "company_name", "category_code"];
const REQUIRED = ["family_name", "given_name", "family_kana", "given_kana", "category_code"];

function setFieldError(field, message) {
  const input = $(`walkin-${field}`);
  const error = $(`walkin-${field}-error`);
  if (!input || !error) return false;
  error.textContent = message || "";
  error.hidden = !message;
  if (message) {
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", error.id);
  } else {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
  return true;
}

function clearWalkinErrors() {
  for (const field of WALKIN_FIELDS) setFieldError(field, "");
  $("walkin-summary").hidden = true;
}

function showWalkinErrors(errors) {
  let first = null;
  const loose = [];
  for (const error of errors) {
    const message = error.message || error.problem;
    if (setFieldError(error.field, message)) first = first || error.field;
    else loose.push(message);
  }
  const summary = $("walkin-summary");
  summary.textContent = [t("errors_summary"), ...loose].join(" ");
  summary.hidden = false;
  if (first) $(`walkin-${first}`).focus();
}

async function submitWalkin(event) {
  event.preventDefault();
  clearWalkinErrors();
  const form = $("walkin-form");
  const values = Object.fromEntries(WALKIN_FIELDS.map((field) => [field, form.elements[field].value.trim()]));
  const missing = REQUIRED.filter((field) => !values[field])
    .map((field) => ({field, message: t(field === "category_code" ? "missing_choice" : "missing_field", t(field))}));
  if (missing.length) {
    showWalkinErrors(missing);
    return;
  }
  state.walkinNonce = state.walkinNonce || crypto.randomUUID();
  let answer;
  try {
    answer = await call("POST", paths.walkins(slug()), {body: {nonce: state.walkinNonce, ...values}, timeout: 10000});
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    showWalkinErrors([{field: "", message: t("walkin_offline")}]);  // same nonce on the retry: never twice
    return;
  }
  if (await ended(answer)) return;
  const data = answer.data || {};
  if (answer.status === 422 && Array.isArray(data.errors)) {
    state.walkinNonce = null;  // nothing was registered
    showWalkinErrors(data.errors);
    return;
  }
  if (answer.status !== 200) {
    showWalkinErrors([{field: "", message: data.explanation || t("walkin_failed")}]);
    return;
  }
  state.walkinNonce = null;
  form.reset();
  closePanels();
  showVerdict(data);
  state.last = data.entry_id ? {entryId: data.entry_id} : null;
  if (data.status === "ok" && data.print_badge && data.badge_url) printBadge(data.badge_url);
}

// --- panels, camera, wiring ------------------------------------------------------------------------

function openPanel(id) {
  closeVerdict();
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = panel.id !== id;
  $("screen-main").setAttribute("aria-hidden", "true");
  $(id).querySelector("input").focus();
}

function closePanels() {
  for (const panel of document.querySelectorAll(".panel")) panel.hidden = true;
  $("screen-main").removeAttribute("aria-hidden");
  focusWedge();
}

function renderDirection() {
  for (const button of document.querySelectorAll("[data-direction]")) {
    button.setAttribute("aria-pressed", String(button.dataset.direction === direction()));
  }
  document.body.classList.toggle("direction-out", direction() === "out");
}

function cameraStatus(key) {
  const status = $("camera-status");
  status.dataset.i18n = key;  // kept, so that the language button translates it too
  status.textContent = t(key);
}

async function startCamera() {
  cameraStatus("camera_starting");
  try {
    if (!state.camera) state.camera = new Camera($("video"), (text, frameAt) => scanCode(text, frameAt));
    await state.camera.start();
    cameraStatus("camera_hint");
    localStorage.setItem(CAMERA_KEY, "on");
  } catch (error) {
    console.warn("camera", error);
    cameraStatus("camera_unavailable");
  }
  renderCameraButton();
}

function renderCameraButton() {
  const running = Boolean(state.camera && state.camera.running);
  const button = $("camera-toggle");
  button.dataset.i18n = running ? "camera_off" : "camera_on";
  button.textContent = t(button.dataset.i18n);
  document.body.classList.toggle("camera-running", running);
}

function wire() {
  for (const gesture of ["pointerdown", "keydown"]) document.addEventListener(gesture, unlockAudio, {passive: true});
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action], [data-direction]");
    if (!target) return;
    const action = target.dataset.action;
    if (target.dataset.direction) {
      localStorage.setItem(DIRECTION_KEY, target.dataset.direction);
      renderDirection();
    } else if (action === "language") {
      setLanguage(language() === "ja" ? "en" : "ja");
      translatePage();
      if (state.device) {
        renderDevice();
        state.fullSync = true;  // the roster's labels (参加区分) come in the asked language
        syncRoster().then(renderStatus);
      }
      renderCameraButton();
      renderStatus();
    } else if (action === "search") openPanel("search-panel");
    else if (action === "walkin") openPanel("walkin-panel");
    else if (action === "close-panel") closePanels();
    else if (action === "undo") undo();
    else if (action === "print" && state.verdictAnswer && state.verdictAnswer.badge_url) {
      printBadge(state.verdictAnswer.badge_url);
    } else if (action === "clear-flags") {
      localStorage.removeItem(FLAGS_KEY);
      renderFlags();
    }
  });
  $("verdict").addEventListener("click", (event) => {
    if (!event.target.closest("button")) closeVerdict();
  });
  $("code-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("code-input");
    const code = input.value;
    input.value = "";
    state.lastSeen.delete(code.trim());  // typed or wedge-scanned on purpose: no debounce
    scanCode(code);
  });
  $("code-input").addEventListener("blur", () => setTimeout(() => {
    if (document.activeElement === document.body) focusWedge();
  }, 0));
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search($("search-input").value);
  });
  $("walkin-form").addEventListener("submit", submitWalkin);
  $("camera-toggle").addEventListener("click", () => {
    if (state.camera && state.camera.running) {
      state.camera.stop();
      localStorage.setItem(CAMERA_KEY, "off");
      renderCameraButton();
    } else {
      startCamera();
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (!$("verdict").hidden) closeVerdict();
      else closePanels();
    }
  });
  window.addEventListener("online", () => { renderStatus(); syncRoster(); });
  window.addEventListener("offline", renderStatus);
}

/** Load, while online, the web-font slices for these characters (the service worker keeps them), so that a
 * device without a Japanese font of its own still shows them offline. */
function warmFonts(text) {
  if (document.fonts && text) document.fonts.load('17px "EventApp Gothic"', text).then(keepFontsForOffline, () => {});
}

/** Slices fetched before the service worker took control went past it: fetch them again through it. */
function keepFontsForOffline() {
  if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return;
  for (const entry of performance.getEntriesByType("resource")) {
    if (entry.name.includes("/static/vendor/fonts/") && entry.name.endsWith(".woff2")) fetch(entry.name).catch(() => {});
  }
}

async function main() {
  translatePage();
  warmFonts(allText());
  takeTokenFromUrl();
  wire();
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/scan/sw.js", {scope: "/scan/"}).catch(() => {});
    navigator.serviceWorker.addEventListener("controllerchange", keepFontsForOffline);
  }
  if (!token.get()) {
    show("screen-unpaired");
    return;
  }
  if (!(await loadDevice())) {
    if (!state.stopped) show("screen-unpaired");
    return;
  }
  show("screen-main");
  renderDevice();
  renderDirection();
  renderStatus();
  focusWedge();
  document.body.dataset.ready = "true";
  if (localStorage.getItem(CAMERA_KEY) !== "off") startCamera();
  else renderCameraButton();
  syncRoster().then(renderStatus);
  setInterval(() => syncRoster().then(renderStatus), SYNC_MS);
}

main();
