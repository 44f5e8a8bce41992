// The page: state (the current sequence, the A/B pair, the four corners),
// controls and their wiring. See api.js for the server, grid.js for the
// grid, audio.js for playback and seq.js for what tokens mean.

import * as api from './api.js';
import { Player } from './audio.js';
import { Grid } from './grid.js';
import { parts, toggleDrum, toggleNote } from './seq.js';

const $ = (id) => document.getElementById(id);
const INTERP_STEPS = 9;

const state = {
  models: [],
  model: null, // one of models
  current: null, // {tokens, z}
  a: null, b: null, // {tokens, z}
  line: null, // the interpolation A→B: [{tokens, z}]
  corners: null, // 4 latent vectors
  busy: 0,
};
const player = new Player();
const grid = new Grid($('grid'), toggle);
window.mvae = { state, player }; // for the browser tests and the curious

function status(msg, error = false) {
  const el = $('status');
  el.textContent = msg;
  el.classList.toggle('error', error);
}

function opts() {
  const t = parseFloat($('temperature').value);
  const s = $('seed').value.trim();
  const o = { temperature: Number.isFinite(t) ? t : 1 };
  o.seed = s === '' ? Math.floor(Math.random() * 2 ** 32) : Math.max(0, Math.floor(+s));
  return o;
}

async function run(label, fn) {
  state.busy++;
  document.body.setAttribute('aria-busy', 'true');
  status(`${label}…`);
  try {
    const msg = await fn();
    status(typeof msg === 'string' ? msg : `${label}: done.`);
  } catch (e) {
    status(`${label}: ${e.message}`, true);
    console.error(e);
  } finally {
    if (--state.busy === 0) document.body.removeAttribute('aria-busy');
  }
}

function song() {
  const m = state.model;
  return { tokens: state.current.tokens, T: m.steps, D: m.depth, rep: m.representation, stepsPerQuarter: m.steps_per_quarter };
}

// show makes seq the current sequence: the grid, what plays and what
// downloads. keepBase keeps the sequence that the attribute sliders shift.
function show(seq, keepBase = false) {
  if (!keepBase) {
    state.attrBase = null;
    document.querySelectorAll('#attributes input').forEach((e) => { e.value = 0; });
  }
  state.current = { tokens: seq.tokens.slice(), z: seq.z ? seq.z.slice() : null };
  const s = song();
  grid.render(s);
  player.song = s;
  $('grid').dataset.hits = $('grid').querySelectorAll('.cell.on').length;
}

function first(resp) {
  const seqs = api.sequences(resp);
  if (!seqs.length) throw new Error('the server sent no sequence');
  return seqs;
}

function toggle(step, value, partIndex) {
  if (!state.current) return;
  const m = state.model;
  const part = parts(m.representation)[partIndex];
  if (part.kind === 'melody') toggleNote(state.current.tokens, m.steps, m.depth, part, step, value);
  else toggleDrum(state.current.tokens, m.depth, part, step, value);
  state.current.z = null; // the edit leaves the latent vector behind
  show(state.current);
}

async function newSample() {
  await run('New sample', async () => {
    const resp = await api.sample(state.model.name, opts());
    show(first(resp)[0]);
    return `New sample: done. Seed ${resp.seed ?? '?'}.`;
  });
}

// zOf returns the latent vector of seq. An edited sequence has lost its
// own: it is encoded as the file it downloads as (/api/midi, then
// /api/encode), and keeps the vector.
async function zOf(seq) {
  if (seq.z) return seq.z;
  const name = state.model.name;
  const file = new File([await api.midi(name, seq.tokens, bpm())], 'edited.mid', { type: 'audio/midi' });
  const zs = api.latents(await api.encode(name, file));
  if (!zs.length) throw new Error('the edited sequence has no note to encode');
  seq.z = zs[0];
  return seq.z;
}

async function loadModels() {
  state.models = await api.models();
  const sel = $('model');
  sel.replaceChildren(...state.models.map((m) => new Option(`${m.name} (${m.representation}, ${m.bars} bar${m.bars > 1 ? 's' : ''})`, m.name)));
  if (!state.models.length) throw new Error('the server has no model');
  selectModel(state.models[0].name);
}

function selectModel(name) {
  state.model = state.models.find((m) => m.name === name);
  state.a = state.b = state.line = state.corners = null;
  state.pad = null;
  $('interp').disabled = true;
  $('interp').value = 0;
  $('padpoint').style.display = 'none';
  $('abinfo').textContent = 'A and B: not set.';
  const box = $('attributes');
  box.querySelectorAll('.attr').forEach((e) => e.remove());
  $('noattr').hidden = state.model.attributes.length > 0;
  for (const name of state.model.attributes) {
    const div = document.createElement('div');
    div.className = 'attr';
    const id = `attr-${name.replace(/[^a-z0-9_-]/gi, '_')}`;
    div.innerHTML = `<label for="${id}"></label><input id="${id}" type="range" min="-3" max="3" step="0.25" value="0">`;
    div.querySelector('label').textContent = name;
    div.querySelector('input').dataset.name = name;
    div.querySelector('input').addEventListener('change', (e) => attribute(name, parseFloat(e.target.value)));
    box.appendChild(div);
  }
}

async function attribute(name, amount) {
  await run(`Attribute ${name} ${amount}`, async () => {
    if (!state.attrBase) state.attrBase = { tokens: state.current.tokens, z: await zOf(state.current) };
    document.querySelectorAll('#attributes input').forEach((e) => { if (e.dataset.name !== name) e.value = 0; });
    const seq = first(await api.decode(state.model.name, state.attrBase.z, { ...opts(), temperature: 0, attribute: name, amount }))[0];
    show({ tokens: seq.tokens, z: seq.z }, true);
  });
}

async function upload(file) {
  if (!file) return;
  await run(`Encode ${file.name}`, async () => {
    const zs = api.latents(await api.encode(state.model.name, file));
    if (!zs.length) throw new Error(`${file.name}: no window to encode`);
    const seq = first(await api.decode(state.model.name, zs[0], { ...opts(), temperature: 0 }))[0];
    show({ tokens: seq.tokens, z: zs[0] });
    return `Encoded ${file.name}: ${zs.length} window${zs.length > 1 ? 's' : ''}; showing the first.`;
  });
}

async function setAB(which, seq) {
  state[which] = { tokens: seq.tokens.slice(), z: (await zOf(seq)).slice() };
  state.line = null;
  $('abinfo').textContent = `A: ${state.a ? 'set' : 'not set'}, B: ${state.b ? 'set' : 'not set'}.`;
  if (state.a && state.b) return interpolateAB();
}

async function interpolateAB() {
  await run('Interpolate A → B', async () => {
    const o = opts();
    state.line = first(await api.interpolate(state.model.name, [state.a.z, state.b.z], INTERP_STEPS, { ...o, temperature: 0 }));
    const slider = $('interp');
    slider.max = state.line.length - 1;
    slider.disabled = false;
    slider.value = 0;
    show(state.line[0]);
  });
}

function moveSlider() {
  if (!state.line) return;
  const i = +$('interp').value;
  $('interp').setAttribute('aria-valuetext', `${Math.round((100 * i) / (state.line.length - 1))}% B`);
  show(state.line[i]);
}

async function newCorners() {
  await run('New corners', async () => {
    state.corners = null;
    await padAt(0.5, 0.5);
  });
}

// ensureCorners draws four prior samples as the pad's corners, once.
async function ensureCorners() {
  if (state.corners) return;
  const o = opts();
  const zs = [];
  for (let i = 0; i < 4; i++) zs.push(first(await api.sample(state.model.name, { ...o, seed: o.seed + i }))[0].z);
  state.corners = zs;
}

// padAt decodes the bilinear mix of the four corners at (u, v) in [0,1]²
// (A top left, B top right, C bottom left, D bottom right).
async function padAt(u, v) {
  await ensureCorners();
  const [a, b, c, d] = state.corners;
  const z = a.map((_, i) => (1 - v) * ((1 - u) * a[i] + u * b[i]) + v * ((1 - u) * c[i] + u * d[i]));
  const p = $('padpoint');
  p.style.display = 'block';
  p.style.left = `${u * 100}%`;
  p.style.top = `${v * 100}%`;
  state.pad = { u, v };
  $('pad').setAttribute('aria-valuetext', `${Math.round(u * 100)}% right, ${Math.round(v * 100)}% down`);
  const seq = first(await api.decode(state.model.name, z, { ...opts(), temperature: 0 }))[0];
  show({ tokens: seq.tokens, z });
}

async function similar() {
  await run('Similar', async () => {
    const sim = Math.max(0, Math.min(1, parseFloat($('similarity').value) || 0.8));
    const seqs = first(await api.similar(state.model.name, state.current.tokens, 1, sim, opts()));
    show(seqs[0]);
  });
}

async function download() {
  await run('Download MIDI', async () => {
    const blob = await api.midi(state.model.name, state.current.tokens, bpm());
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `mvae-${state.model.name}.mid`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  });
}

function bpm() {
  const b = parseFloat($('bpm').value);
  return Number.isFinite(b) ? Math.max(20, Math.min(300, b)) : 120;
}

async function play() {
  const btn = $('play');
  if (player.playing) {
    player.stop();
    btn.textContent = 'Play';
    btn.setAttribute('aria-pressed', 'false');
    $('playhead').style.display = 'none';
    return;
  }
  if (!state.current) return;
  player.bpm = bpm();
  player.song = song();
  await player.start();
  btn.textContent = 'Stop';
  btn.setAttribute('aria-pressed', 'true');
  $('playhead').style.display = 'block';
  requestAnimationFrame(frame);
}

function frame() {
  if (!player.playing) return;
  const pos = player.position();
  const ph = $('playhead');
  ph.style.left = `${grid.x(pos)}px`;
  ph.dataset.step = pos.toFixed(2);
  requestAnimationFrame(frame);
}

function wire() {
  $('sample').addEventListener('click', newSample);
  $('play').addEventListener('click', play);
  $('download').addEventListener('click', download);
  $('model').addEventListener('change', (e) => { selectModel(e.target.value); newSample(); });
  $('bpm').addEventListener('change', () => { player.bpm = bpm(); if (player.playing) { player.stop(); player.start(); } });
  $('file').addEventListener('change', (e) => upload(e.target.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    upload(e.dataTransfer.files[0]);
  });
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('file').click(); } });
  $('setA').addEventListener('click', () => run('A = current', () => setAB('a', state.current)));
  $('setB').addEventListener('click', () => run('B = current', () => setAB('b', state.current)));
  $('newB').addEventListener('click', () => run('B = new sample', async () => {
    const seq = first(await api.sample(state.model.name, opts()))[0];
    if (!state.a) await setAB('a', state.current);
    await setAB('b', seq);
  }));
  $('interp').addEventListener('input', moveSlider);
  $('corners').addEventListener('click', newCorners);
  const pad = $('pad');
  pad.addEventListener('click', (e) => {
    const r = pad.getBoundingClientRect();
    const u = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width));
    const v = Math.max(0, Math.min(1, (e.clientY - r.top) / r.height));
    run('Four corners', () => padAt(u, v));
  });
  pad.addEventListener('keydown', (e) => {
    const d = { ArrowLeft: [-0.1, 0], ArrowRight: [0.1, 0], ArrowUp: [0, -0.1], ArrowDown: [0, 0.1] }[e.key];
    if (!d) return;
    e.preventDefault();
    const p = state.pad || { u: 0.5, v: 0.5 };
    run('Four corners', () => padAt(Math.max(0, Math.min(1, p.u + d[0])), Math.max(0, Math.min(1, p.v + d[1]))));
  });
  $('similar').addEventListener('click', similar);
  document.addEventListener('keydown', (e) => {
    if (e.key === ' ' && e.target === document.body) { e.preventDefault(); play(); }
  });
}

wire();
run('Loading models', async () => {
  await loadModels();
  await newSample();
}).then(() => { document.body.dataset.ready = 'true'; });
