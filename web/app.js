// Flowstate web UI: plain JS over the /api/v1 HTTP API. No framework, no build step.
'use strict';

const API = '/api/v1';
const $ = (sel) => document.querySelector(sel);

const state = {
  page: { offset: 0, limit: 50, total: 0 },
  sort: null, // e.g. 'bpm' or '-bpm'
  rows: [], // current table items
  sel: -1, // selected row index
  deck: null, // TrackDetail of the loaded track
  history: [], // HistoryEntry[]
  recs: [], // RecommendItem[]
  lastPrompt: '',
  suggestions: [],
  sugSel: -1,
  previewId: null,
};

// ───────────────────────── helpers ─────────────────────────

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? '' : String(v));
    }
  }
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(path, opts = {}) {
  const init = { method: opts.method || 'GET', headers: { Accept: 'application/json' }, signal: opts.signal };
  if (opts.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  const r = await fetch(API + path, init);
  let j = null;
  try { j = await r.json(); } catch (_) { /* empty or non-JSON body */ }
  if (!r.ok) {
    const e = (j && j.error) || {};
    throw new ApiError(r.status, e.code || 'HTTP_' + r.status, e.message || r.statusText);
  }
  return j;
}

let toastTimer = null;
function toast(msg, kind) {
  const t = $('#toast');
  t.textContent = msg;
  t.className = 'toast' + (kind === 'info' ? ' info' : '');
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

function fail(e) {
  if (e && e.name === 'AbortError') return;
  console.error(e);
  toast(e instanceof ApiError ? `${e.code}: ${e.message}` : String(e));
}

const fmtBpm = (b) => (b === null || b === undefined ? '—' : (Math.round(b * 10) / 10).toFixed(Number.isInteger(Math.round(b * 10) / 10) ? 0 : 1));
const fmtEnergy = (e) => (e === null || e === undefined ? '—' : (Math.round(e * 10) / 10).toString());
function fmtTime(s) {
  if (s === null || s === undefined || !isFinite(s)) return '—';
  const m = Math.floor(s / 60);
  const r = Math.floor(s % 60);
  return `${m}:${String(r).padStart(2, '0')}`;
}
const debounce = (fn, ms) => { let t; return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); }; };

// ───────────────────────── library table ─────────────────────────

function filterParams() {
  const p = new URLSearchParams();
  const v = (id) => $(id).value.trim();
  if (v('#f-q')) p.set('q', v('#f-q'));
  if (v('#f-bpm-min')) p.set('bpm_min', v('#f-bpm-min'));
  if (v('#f-bpm-max')) p.set('bpm_max', v('#f-bpm-max'));
  if (v('#f-en-min')) p.set('energy_min', v('#f-en-min'));
  if (v('#f-en-max')) p.set('energy_max', v('#f-en-max'));
  if (v('#f-key')) p.set($('#f-compat').checked ? 'compatible_with' : 'key', v('#f-key'));
  if (v('#f-genre')) p.set('genre', v('#f-genre'));
  if (state.sort) p.set('sort', state.sort);
  p.set('offset', String(state.page.offset));
  p.set('limit', String(state.page.limit));
  return p;
}

let listAbort = null;
async function loadTracks() {
  if (listAbort) listAbort.abort();
  listAbort = new AbortController();
  try {
    const page = await api('/tracks?' + filterParams().toString(), { signal: listAbort.signal });
    state.page.total = page.total;
    state.rows = page.items;
    state.sel = page.items.length ? Math.min(Math.max(state.sel, 0), page.items.length - 1) : -1;
    renderTable();
  } catch (e) { fail(e); }
}

function renderTable() {
  const tb = $('#tracks tbody');
  tb.replaceChildren();
  const loaded = state.deck && state.deck.summary.id;
  state.rows.forEach((t, i) => {
    const tr = el('tr', {
      tabindex: '-1',
      class: [i === state.sel ? 'sel' : '', t.id === loaded ? 'loaded' : ''].join(' ').trim() || null,
      dataset: { id: t.id },
      onclick: () => { selectRow(i); loadDeck(t.id); },
    },
    el('td', { title: t.title || '' }, t.title || '(untitled)'),
    el('td', { title: t.artist || '' }, t.artist || ''),
    el('td', { class: 'num' }, fmtBpm(t.bpm)),
    el('td', { class: 'keycell', title: [t.key_classic, t.key_open].filter(Boolean).join(' · ') }, t.key || '—'),
    el('td', { class: 'num' }, fmtEnergy(t.energy)),
    el('td', { title: t.subgenre || '' }, t.genre || ''),
    el('td', { class: 'num' }, fmtTime(t.duration_seconds)));
    tb.append(tr);
  });
  if (!state.rows.length) tb.append(el('tr', null, el('td', { colspan: '7', class: 'muted' }, 'No tracks match.')));
  const { offset, limit, total } = state.page;
  $('#page-info').textContent = total ? `${offset + 1}–${Math.min(offset + limit, total)} of ${total}` : '0 tracks';
  $('#lib-count').textContent = `${total} match${total === 1 ? '' : 'es'}`;
  $('#prev').disabled = offset === 0;
  $('#next').disabled = offset + limit >= total;
  document.querySelectorAll('#tracks th').forEach((th) => {
    th.classList.remove('sorted-asc', 'sorted-desc');
    const s = th.dataset.sort;
    if (state.sort === s) th.classList.add('sorted-asc');
    if (state.sort === '-' + s) th.classList.add('sorted-desc');
  });
}

function selectRow(i) {
  state.sel = i;
  document.querySelectorAll('#tracks tbody tr').forEach((tr, j) => tr.classList.toggle('sel', j === i));
  const tr = document.querySelectorAll('#tracks tbody tr')[i];
  if (tr) tr.scrollIntoView({ block: 'nearest' });
}

async function loadLibraryInfo() {
  try {
    const info = await api('/library');
    $('#status').textContent = `${info.tracks} tracks · session ${info.session}`;
    const sel = $('#f-genre');
    for (const g of info.genres.slice(0, 200)) sel.append(el('option', { value: g.genre }, `${g.genre} (${g.count})`));
  } catch (e) { $('#status').textContent = 'library unavailable'; fail(e); }
}

// ───────────────────────── deck ─────────────────────────

function badge(text, cls, title) { return el('span', { class: 'badge ' + (cls || ''), title }, text); }

async function loadDeck(id, opts = {}) {
  try {
    const detail = await api('/tracks/' + encodeURIComponent(id));
    state.deck = detail;
    if (opts.record !== false) {
      const h = await api('/history', { method: 'POST', body: { track_id: id } });
      state.history = h.entries;
      renderHistory();
    }
    renderDeck();
    renderTable();
    state.recs = [];
    renderRecs();
    if (opts.recommend !== false) recommend();
  } catch (e) { fail(e); }
}

function renderDeck() {
  const d = state.deck;
  if (!d) return;
  const s = d.summary;
  $('#deck-title').textContent = s.title || '(untitled)';
  $('#deck-artist').textContent = [s.artist, s.genre].filter(Boolean).join(' · ');
  const b = $('#deck-badges');
  b.replaceChildren(
    badge(`${fmtBpm(s.bpm)} BPM`, 'big info'),
    badge(s.key ? `${s.key} · ${s.key_classic || ''}` : 'key —', 'big info'),
    badge(`E ${fmtEnergy(s.energy)}`, 'big'),
    s.duration_seconds ? badge(fmtTime(s.duration_seconds), 'big') : null,
  );
  drawWave();
}

const BAND = { low: [255, 77, 94], mid: [70, 209, 122], high: [78, 163, 255] };

function sizeCanvas(c) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.floor(c.clientWidth * dpr));
  const h = Math.max(1, Math.floor(c.clientHeight * dpr));
  if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
  return { w, h, dpr };
}

function drawWave() {
  const c = $('#wave');
  const { w, h, dpr } = sizeCanvas(c);
  const g = c.getContext('2d');
  g.clearRect(0, 0, w, h);
  const d = state.deck;
  const wf = d && d.waveform;
  const doc = d && d.doc;
  const dur = (doc && doc.duration_seconds) || (wf && wf.low.length / wf.points_per_second) || 0;
  $('#wave-empty').hidden = !!(wf && wf.low.length);
  if (!d || !dur) return;
  const x = (t) => (t / dur) * w;
  const mid = h * 0.55;
  // sections as shaded bands with labels
  const secs = (doc.sections || []);
  secs.forEach((s, i) => {
    g.fillStyle = i % 2 ? 'rgba(255,255,255,0.035)' : 'rgba(90,169,255,0.06)';
    g.fillRect(x(s.start_s), 0, x(s.end_s) - x(s.start_s), h);
    g.fillStyle = 'rgba(200,210,225,0.8)';
    g.font = `${11 * dpr}px system-ui, sans-serif`;
    g.fillText(s.label, x(s.start_s) + 3 * dpr, 12 * dpr);
  });
  // waveform: three bands stacked, low in front
  if (wf && wf.low.length) {
    const n = wf.low.length;
    const colW = Math.max(1, w / n);
    const amp = (h * 0.8) / 2 / 255;
    for (const band of ['high', 'mid', 'low']) {
      const [r, gg, b] = BAND[band];
      g.fillStyle = `rgba(${r},${gg},${b},${band === 'low' ? 0.95 : 0.8})`;
      const arr = wf[band];
      for (let i = 0; i < n; i++) {
        const v = arr[i] * amp;
        if (v < 0.5) continue;
        g.fillRect((i / n) * w, mid - v, colW, 2 * v);
      }
    }
  }
  // beat grid: thin lines, downbeats brighter (only when dense enough to read)
  const beats = d.beats || [];
  if (beats.length && w / beats.length > 1.5) {
    g.fillStyle = 'rgba(140,155,180,0.25)';
    for (const t of beats) g.fillRect(x(t), h - 10 * dpr, 1, 10 * dpr);
  }
  g.fillStyle = 'rgba(200,215,235,0.55)';
  for (const t of d.downbeats || []) g.fillRect(x(t), h - 16 * dpr, Math.max(1, dpr), 16 * dpr);
  // cues: yellow triangles with names
  for (const cue of doc.cues || []) {
    const cx = x(cue.time_s);
    g.fillStyle = '#ffd166';
    g.fillRect(cx, 0, Math.max(1, dpr), h);
    g.beginPath(); g.moveTo(cx - 5 * dpr, h); g.lineTo(cx + 5 * dpr, h); g.lineTo(cx, h - 8 * dpr); g.fill();
    g.font = `${10 * dpr}px system-ui, sans-serif`;
    g.fillText((cue.name || cue.kind).replace(/_/g, ' '), cx + 3 * dpr, h - 20 * dpr);
  }
  // playhead of the preview when it plays this track
  const p = $('#player');
  if (state.previewId === d.summary.id && !p.paused && isFinite(p.currentTime)) {
    g.fillStyle = '#ffffff';
    g.fillRect(x(p.currentTime), 0, 2 * dpr, h);
  }
}

// ───────────────────────── history & energy curve ─────────────────────────

async function loadHistory() {
  try {
    const h = await api('/history');
    state.history = h.entries;
    renderHistory();
    if (h.entries.length && !state.deck) {
      const last = h.entries[h.entries.length - 1].track.id;
      loadDeck(last, { record: false, recommend: false });
    }
  } catch (e) { fail(e); }
}

function renderHistory() {
  const ol = $('#history');
  ol.replaceChildren(...state.history.slice().reverse().map((e) =>
    el('li', { value: String(e.position) }, `${e.track.title || '(untitled)'} — ${e.track.artist || ''} `,
      el('span', { class: 'muted' }, `${fmtBpm(e.track.bpm)} · ${e.track.key || '—'} · E${fmtEnergy(e.track.energy)}`))));
  $('#history-count').textContent = `${state.history.length} played`;
  drawEnergy();
}

function drawEnergy() {
  const c = $('#energy');
  const { w, h, dpr } = sizeCanvas(c);
  const g = c.getContext('2d');
  g.clearRect(0, 0, w, h);
  const pad = 8 * dpr;
  g.strokeStyle = 'rgba(255,255,255,0.07)';
  for (let e = 2; e <= 10; e += 2) {
    const y = h - pad - ((e - 1) / 9) * (h - 2 * pad);
    g.beginPath(); g.moveTo(pad, y); g.lineTo(w - pad, y); g.stroke();
  }
  const pts = state.history.map((e) => e.track.energy).map((v, i) => [i, v]).filter(([, v]) => v !== null && v !== undefined);
  if (!pts.length) {
    g.fillStyle = '#8b97a8'; g.font = `${12 * dpr}px system-ui, sans-serif`;
    g.fillText('energy of played tracks appears here', pad, h / 2);
    return;
  }
  const n = Math.max(state.history.length - 1, 1);
  const X = (i) => pad + (i / n) * (w - 2 * pad);
  const Y = (v) => h - pad - ((Math.min(Math.max(v, 1), 10) - 1) / 9) * (h - 2 * pad);
  g.strokeStyle = '#3ddc97'; g.lineWidth = 2 * dpr; g.beginPath();
  pts.forEach(([i, v], k) => (k ? g.lineTo(X(i), Y(v)) : g.moveTo(X(i), Y(v))));
  g.stroke();
  g.fillStyle = '#3ddc97';
  for (const [i, v] of pts) { g.beginPath(); g.arc(X(i), Y(v), 3 * dpr, 0, Math.PI * 2); g.fill(); }
}

// ───────────────────────── prompt, suggestions, intent ─────────────────────────

const QUICK = ['keep the energy', 'build it up', 'bring it down', 'darker', 'more vocals', 'switch genres', 'faster', 'harmonic mix'];

function renderChips() {
  $('#chips').replaceChildren(...QUICK.map((q) => el('button', {
    type: 'button', class: 'chip', onclick: () => { $('#prompt').value = q; hideSuggestions(); recommend(); },
  }, q)));
}

// Suggestions travel over one WebSocket while the page is open (one frame per keystroke,
// answers carry the frame's seq so stale ones are dropped); if the socket cannot be opened
// the same data comes from GET /intent/suggest.
const sug = { ws: null, ready: false, seq: 0, failed: false };

function applySuggestions(r) {
  if (r.query !== $('#prompt').value) return; // stale
  state.suggestions = r.suggestions;
  state.sugSel = -1;
  renderSuggestions();
}

function openSuggestSocket() {
  if (sug.ws || sug.failed || !('WebSocket' in window)) return;
  const url = new URL(API + '/intent/suggest/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  sug.ws = ws;
  ws.onopen = () => { sug.ready = true; fetchSuggestions(); };
  ws.onmessage = (ev) => {
    let r = null;
    try { r = JSON.parse(ev.data); } catch (_) { return; }
    if (r.seq !== sug.seq) return; // an older keystroke's answer
    if (r.error) { fail(new ApiError(400, r.error.code, r.error.message)); return; }
    applySuggestions(r);
  };
  ws.onclose = () => {
    // never opened: use HTTP from now on; dropped later: reopen on the next keystroke
    if (!sug.ready) sug.failed = true;
    sug.ws = null; sug.ready = false;
  };
}

let sugAbort = null;
const fetchSuggestions = debounce(async () => {
  const q = $('#prompt').value;
  openSuggestSocket();
  if (sug.ws && sug.ready) {
    sug.seq += 1;
    sug.ws.send(JSON.stringify({ q, limit: 8, seq: sug.seq }));
    return;
  }
  if (sug.ws && !sug.failed) return; // still connecting: onopen sends the current prompt
  if (sugAbort) sugAbort.abort();
  sugAbort = new AbortController();
  try {
    applySuggestions(await api('/intent/suggest?' + new URLSearchParams({ q, limit: '8' }), { signal: sugAbort.signal }));
  } catch (e) { fail(e); }
}, 120);

function renderSuggestions() {
  const ul = $('#suggestions');
  const items = state.suggestions;
  ul.replaceChildren(...items.map((s, i) => el('li', {
    role: 'option', 'aria-selected': i === state.sugSel ? 'true' : 'false',
    onmousedown: (ev) => { ev.preventDefault(); acceptSuggestion(i); },
  }, el('span', null, s.label || s.text), el('span', { class: 'kind' }, s.kind))));
  const show = items.length > 0 && document.activeElement === $('#prompt');
  ul.hidden = !show;
  $('#prompt').setAttribute('aria-expanded', show ? 'true' : 'false');
}

function hideSuggestions() { $('#suggestions').hidden = true; $('#prompt').setAttribute('aria-expanded', 'false'); }

function acceptSuggestion(i) {
  const s = state.suggestions[i];
  if (!s) return;
  $('#prompt').value = s.text;
  hideSuggestions();
  $('#prompt').focus();
  fetchSuggestions();
}

function describeConstraint(c) {
  const r = (a, b) => `${a ?? '…'}–${b ?? '…'}`;
  switch (c.op) {
    case 'range': return `${c.attr} ${r(c.min, c.max)}`;
    case 'delta': return `${c.attr} Δ ${r(c.min, c.max)}`;
    case 'delta_pct': return `${c.attr} Δ ${r(c.min, c.max)}%`;
    case 'keep': return `keep ${c.attr}`;
    case 'differs': return `other ${c.attr}`;
    case 'in': return `${c.attr} ∈ ${c.values.join(', ')}`;
    case 'not_in': return `${c.attr} ∉ ${c.values.join(', ')}`;
    case 'equals': return `${c.attr} = ${c.value}`;
    case 'mode': return `${c.value} key`;
    case 'compatible': return `key compatible ≥ ${c.min_score}`;
    case 'contains': return `${c.attr} has ${c.values.join(', ')}`;
    case 'not_contains': return `${c.attr} without ${c.values.join(', ')}`;
    default: return `${c.attr} ${c.op}`;
  }
}

function renderIntent(intent) {
  const box = $('#intent');
  if (!intent) { box.replaceChildren(); return; }
  if (intent.status === 'error') { box.replaceChildren(el('span', { class: 'err' }, intent.error || 'cannot use this prompt')); return; }
  const parts = [];
  if (intent.status === 'no_op') parts.push(el('span', null, 'no constraint understood: ranking by flow'));
  if (intent.status === 'ambiguous') parts.push(el('span', { class: 'err' }, `contradictory about ${intent.ambiguous_attrs.join(', ')} · `));
  for (const c of intent.constraints || []) parts.push(el('span', { class: 'c' + (c.strength === 'soft' ? ' soft' : ''), title: c.strength }, describeConstraint(c)));
  if (intent.explanation) parts.push(el('span', null, ' ' + intent.explanation));
  box.replaceChildren(...parts);
}

// ───────────────────────── recommendations ─────────────────────────

let recAbort = null;
async function recommend() {
  if (!state.deck) { toast('Load a track first (click a row in the library).'); return; }
  const prompt = $('#prompt').value.trim();
  state.lastPrompt = prompt;
  if (recAbort) recAbort.abort();
  recAbort = new AbortController();
  $('#recs-note').textContent = 'ranking…';
  try {
    const r = await api('/recommend', {
      method: 'POST', signal: recAbort.signal,
      body: { current: state.deck.summary.id, history: state.history.map((e) => e.track.id), prompt: prompt || null, limit: 12 },
    });
    state.recs = r.results;
    renderIntent(r.intent);
    $('#recs-note').textContent = r.notes.length ? r.notes.join(' · ') : `${r.results.length} ranked`;
    renderRecs();
  } catch (e) {
    $('#recs-note').textContent = '';
    if (e instanceof ApiError && e.code === 'INVALID_PROMPT') renderIntent({ status: 'error', error: e.message });
    fail(e);
  }
}

function keyClass(score) { if (score === null || score === undefined) return ''; return score >= 0.9 ? 'good' : score >= 0.6 ? 'ok' : 'bad'; }
function bpmClass(c) {
  if (!c || c.bpm_diff_pct === null || c.bpm_diff_pct === undefined) return '';
  return c.tempo_mixable ? (c.bpm_diff_pct <= 3 ? 'good' : 'ok') : 'bad';
}

function renderRecs() {
  const box = $('#recs');
  if (!state.recs.length) {
    box.replaceChildren(el('div', { class: 'muted' }, state.deck ? 'No recommendation yet: type a prompt or press Recommend.' : 'Load a track, then ask for the next one.'));
    return;
  }
  box.replaceChildren(...state.recs.map((r, i) => {
    const t = r.track;
    const c = r.compatibility || {};
    const de = c.energy_delta;
    const deText = de === null || de === undefined ? 'E —' : `E ${fmtEnergy(t.energy)} (${de > 0 ? '↑ +' : de < 0 ? '↓ ' : '→ '}${de === 0 ? '0' : fmtEnergy(de)})`;
    const card = el('article', { class: 'card', dataset: { id: t.id, audio: t.has_audio ? '1' : '0' } },
      el('div', { class: 'row' }, el('span', { class: 'rank' }, `${r.rank}`), el('span', { class: 't' }, t.title || '(untitled)'),
        el('span', { class: 'score', title: 'ranking score' }, r.score.toFixed(2))),
      el('div', { class: 'a' }, [t.artist, t.genre].filter(Boolean).join(' · ')),
      el('div', { class: 'row' },
        badge(`${fmtBpm(t.bpm)} BPM${c.bpm_diff_pct !== null && c.bpm_diff_pct !== undefined ? ` (${c.bpm_diff_pct}%)` : ''}`, 'bpm ' + bpmClass(c), 'tempo difference after half/double folding'),
        badge(t.key ? `${t.key}${c.key_steps ? ` (${c.key_steps > 0 ? '+' : ''}${c.key_steps})` : ''}` : 'key —', 'key ' + keyClass(c.key_score), c.key_score !== undefined && c.key_score !== null ? `harmonic compatibility ${c.key_score}` : ''),
        badge(deText, de > 0 ? 'info' : '', 'energy change')),
      r.reasons.length ? el('ul', { class: 'reasons' }, r.reasons.slice(0, 4).map((x) => el('li', null, x))) : null,
      el('div', { class: 'actions' },
        el('button', { type: 'button', class: 'btn small preview', onclick: () => preview(t, card) }, '▶ Preview'),
        el('button', { type: 'button', class: 'btn small primary playnext', title: `play next (${i + 1})`, onclick: () => playNext(r) }, 'Play next'),
        el('button', { type: 'button', class: 'btn small like', onclick: (ev) => sendFeedback(r, 'like', card, ev.currentTarget) }, '♥ Like'),
        el('button', { type: 'button', class: 'btn small skip', onclick: (ev) => sendFeedback(r, 'skip', card, ev.currentTarget) }, '✕ Skip')));
    return card;
  }));
}

async function sendFeedback(r, action, card, btn) {
  try {
    await api('/feedback', { method: 'POST', body: { track_id: r.track.id, action, current_id: state.deck ? state.deck.summary.id : null, prompt: state.lastPrompt || null } });
    if (card) card.classList.add('fb-' + action);
    if (btn) btn.classList.add('on');
    toast(`${action} saved for “${r.track.title || r.track.id}”`, 'info');
  } catch (e) { fail(e); }
}

async function playNext(r) {
  try {
    await api('/feedback', { method: 'POST', body: { track_id: r.track.id, action: 'accept', current_id: state.deck ? state.deck.summary.id : null, prompt: state.lastPrompt || null } });
  } catch (e) { fail(e); }
  await loadDeck(r.track.id);
}

// ───────────────────────── preview player ─────────────────────────

function preview(t, card) {
  const p = $('#player');
  if (!t.has_audio) { toast('No audio file for this track.'); return; }
  if (state.previewId === t.id && !p.paused) { stopPreview(); return; }
  p.src = `${API}/tracks/${encodeURIComponent(t.id)}/audio`;
  state.previewId = t.id;
  // Start a third of the way in: past the intro, where the track shows itself.
  p.onloadedmetadata = () => { if (isFinite(p.duration) && p.duration > 30) p.currentTime = p.duration / 3; };
  p.play().catch((e) => fail(new Error('preview failed: ' + e.message)));
  $('#player-label').textContent = `preview: ${t.title || t.id}`;
  $('#player-label').classList.add('playing');
  document.querySelectorAll('.card .preview').forEach((b) => b.classList.remove('on'));
  if (card) { const b = card.querySelector('.preview'); if (b) b.classList.add('on'); }
}

function stopPreview() {
  const p = $('#player');
  p.pause();
  state.previewId = null;
  $('#player-label').textContent = 'preview: —';
  $('#player-label').classList.remove('playing');
  document.querySelectorAll('.card .preview').forEach((b) => b.classList.remove('on'));
}

function previewDeckAt(ev) {
  const d = state.deck;
  if (!d || !d.summary.has_audio) return;
  const c = $('#wave');
  const dur = d.doc.duration_seconds;
  const p = $('#player');
  if (state.previewId !== d.summary.id) {
    p.src = `${API}/tracks/${encodeURIComponent(d.summary.id)}/audio`;
    state.previewId = d.summary.id;
    p.onloadedmetadata = null;
  }
  if (dur) p.currentTime = ((ev.clientX - c.getBoundingClientRect().left) / c.clientWidth) * dur;
  p.play().catch((e) => fail(new Error('playback failed: ' + e.message)));
  $('#player-label').textContent = `deck: ${d.summary.title || d.summary.id}`;
  $('#player-label').classList.add('playing');
}

// ───────────────────────── keyboard ─────────────────────────

function onKey(ev) {
  const tag = (document.activeElement && document.activeElement.tagName) || '';
  const typing = tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA';
  if (ev.key === 'Escape') { hideSuggestions(); if (typing) document.activeElement.blur(); return; }
  if (typing) return;
  if (ev.key === '/') { ev.preventDefault(); $('#f-q').focus(); return; }
  if (ev.key === 'p') { ev.preventDefault(); $('#prompt').focus(); return; }
  if (ev.key === 'j' || ev.key === 'ArrowDown') { ev.preventDefault(); if (state.rows.length) selectRow(Math.min(state.sel + 1, state.rows.length - 1)); return; }
  if (ev.key === 'k' || ev.key === 'ArrowUp') { ev.preventDefault(); if (state.rows.length) selectRow(Math.max(state.sel - 1, 0)); return; }
  if (ev.key === 'Enter' && state.sel >= 0 && state.rows[state.sel]) { ev.preventDefault(); loadDeck(state.rows[state.sel].id); return; }
  if (ev.key === ' ') {
    ev.preventDefault();
    if (state.previewId) stopPreview(); else if (state.recs[0]) preview(state.recs[0].track, document.querySelector('.card'));
    return;
  }
  if (/^[1-9]$/.test(ev.key)) { const r = state.recs[Number(ev.key) - 1]; if (r) { ev.preventDefault(); playNext(r); } }
}

function onPromptKey(ev) {
  const n = state.suggestions.length;
  const open = !$('#suggestions').hidden;
  if (ev.key === 'ArrowDown' && open && n) { ev.preventDefault(); state.sugSel = (state.sugSel + 1) % n; renderSuggestions(); }
  else if (ev.key === 'ArrowUp' && open && n) { ev.preventDefault(); state.sugSel = (state.sugSel - 1 + n) % n; renderSuggestions(); }
  else if (ev.key === 'Tab' && open && n) { ev.preventDefault(); acceptSuggestion(state.sugSel >= 0 ? state.sugSel : 0); }
  else if (ev.key === 'Enter' && open && state.sugSel >= 0) { ev.preventDefault(); acceptSuggestion(state.sugSel); }
}

// ───────────────────────── wiring ─────────────────────────

function init() {
  renderChips();
  const reload = debounce(() => { state.page.offset = 0; loadTracks(); }, 150);
  $('#filters').addEventListener('input', reload);
  $('#filters').addEventListener('submit', (e) => e.preventDefault());
  $('#f-clear').addEventListener('click', () => { $('#filters').reset(); state.page.offset = 0; loadTracks(); });
  $('#prev').addEventListener('click', () => { state.page.offset = Math.max(0, state.page.offset - state.page.limit); loadTracks(); });
  $('#next').addEventListener('click', () => { state.page.offset += state.page.limit; loadTracks(); });
  document.querySelectorAll('#tracks th').forEach((th) => th.addEventListener('click', () => {
    const s = th.dataset.sort;
    state.sort = state.sort === s ? '-' + s : state.sort === '-' + s ? null : s;
    state.page.offset = 0;
    loadTracks();
  }));
  $('#prompt-form').addEventListener('submit', (e) => { e.preventDefault(); hideSuggestions(); recommend(); });
  $('#prompt').addEventListener('input', fetchSuggestions);
  $('#prompt').addEventListener('focus', fetchSuggestions);
  $('#prompt').addEventListener('blur', () => setTimeout(hideSuggestions, 100));
  $('#prompt').addEventListener('keydown', onPromptKey);
  $('#player-stop').addEventListener('click', stopPreview);
  $('#wave').addEventListener('click', previewDeckAt);
  $('#player').addEventListener('ended', stopPreview);
  $('#player').addEventListener('error', () => { if (state.previewId) { toast('audio could not be played'); stopPreview(); } });
  document.addEventListener('keydown', onKey);
  window.addEventListener('resize', debounce(() => { drawWave(); drawEnergy(); }, 100));
  const tick = () => { if (state.previewId && state.deck && state.previewId === state.deck.summary.id) drawWave(); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  drawEnergy();
  loadLibraryInfo();
  loadTracks();
  loadHistory();
}

document.addEventListener('DOMContentLoaded', init);
