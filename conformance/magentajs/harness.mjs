// The magenta.js side of mvae's conformance suite (conformance/magentajs_test.go).
//
//   node harness.mjs REQUEST.json RESPONSE.json
//
// REQUEST.json is {"op": "write" | "run" | "convert" | "interpolate", ...} (see each function
// below); the answer is written to RESPONSE.json (magenta.js logs to stdout,
// so stdout is not used for results). @magenta/music 1.23.1 is found in the
// node_modules folder named by $MVAE_MAGENTAJS_MODULES, else beside this file.
//
// What it uses of magenta.js: node/music_vae (the MusicVAE class, as a user of
// the npm package runs it, with tfjs's CPU backend), and, for MIDI, single
// modules of the package's esm build (core/midi_io, core/sequences, core/data)
// through lib/esm_hooks.mjs. It never loads node/core, whose bundle pulls in
// `tone`, which does not load under Node 20.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire, register } from 'node:module';
import { join, dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = resolvePath(process.env.MVAE_MAGENTAJS_MODULES || join(here, 'node_modules'));
// req resolves packages from the magenta.js install, wherever it is.
const req = createRequire(join(modules, '..', 'package.json'));

// ---------------------------------------------------------------------------
// SplitMix64, as mvae's spec §4 (shared/spec/MUSICVAE.md) and generate.SplitMix64.

const M64 = (1n << 64n) - 1n;
export class SplitMix64 {
  constructor(seed) { this.s = BigInt.asUintN(64, BigInt(seed)); }
  next() {
    this.s = (this.s + 0x9E3779B97F4A7C15n) & M64;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M64;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M64;
    return z ^ (z >> 31n);
  }
  uniform() { return Number(this.next() >> 11n) * 2 ** -53; }
}

// categorical is the spec's draw: p = softmax(l) in float64 (l already
// divided by the temperature), cumulative sums c, the smallest k with u < c_k,
// else the last.
function categorical(l, u) {
  let m = -Infinity;
  for (const v of l) m = Math.max(m, v);
  const p = Array.from(l, (v) => Math.exp(v - m));
  const sum = p.reduce((a, b) => a + b, 0);
  let c = 0;
  for (let k = 0; k < p.length; k++) {
    c += p[k] / sum;
    if (u < c) return k;
  }
  return p.length - 1;
}

// ---------------------------------------------------------------------------
// op "write": a magenta.js checkpoint folder with random weights.
//
// {"op":"write", "dir": D, "seed": "1", "scale": 0.6,
//  "config": {magenta.js config.json: {"type":"MusicVAE","dataConverter":{…}}},
//  "encoder": {"input": D_in, "layers": [E…]} | {"input": D_in, "levels": [E0, E1]},
//  "z": Z, "conductor": [C…] (empty: flat), "decoder": [H…], "depth": D,
//  "splits": [D_i…] (empty: one decoder), "sigma": true,
//  "dummyHierarchicalEncoder": false, "quantization": "" | "uint8" | "uint16",
//  "shardBytes": 4096}
//
// Names and shapes are Magenta's TF variable names (REF §2). Weights are
// N(0, scale²) from SplitMix64(seed) (Box-Muller). Answers {"weights": [{name, shape}]}.

export function checkpointLayout(r) {
  const w = [];
  const add = (name, shape) => w.push({ name, shape });
  const lstm = (prefix, input, h) => {
    add(prefix + '/kernel', [input + h, 4 * h]);
    add(prefix + '/bias', [4 * h]);
  };
  const bidi = (prefix, input, h) => {
    for (const d of ['fw', 'bw']) lstm(`${prefix}/bidirectional_rnn/${d}/multi_rnn_cell/cell_0/lstm_cell`, input, h);
  };
  const dense = (prefix, i, o) => { add(prefix + '/kernel', [i, o]); add(prefix + '/bias', [o]); };
  const e = r.encoder;
  let top;
  if (e.levels && e.levels.length) {
    let input = e.input;
    e.levels.forEach((h, l) => { bidi(`encoder/hierarchical_level_${l}/cell_0`, input, h); input = 2 * h; });
    top = e.levels[e.levels.length - 1];
  } else {
    let input = e.input;
    e.layers.forEach((h, k) => { bidi(`encoder/cell_${k}`, input, h); input = 2 * h; });
    top = e.layers[e.layers.length - 1];
    if (r.dummyHierarchicalEncoder) {
      // REF §6.6: lets magenta.js load a TF hierdec layout (it then decodes only).
      for (let l = 0; l < 2; l++) {
        for (const d of ['fw', 'bw']) {
          const p = `encoder/hierarchical_level_${l}/cell_0/bidirectional_rnn/${d}/multi_rnn_cell/cell_0/lstm_cell`;
          add(p + '/kernel', [1, 4]);
          add(p + '/bias', [4]);
        }
      }
    }
  }
  dense('encoder/mu', 2 * top, r.z);
  if (r.sigma) dense('encoder/sigma', 2 * top, r.z);
  const sum = (a) => a.reduce((x, y) => x + y, 0);
  let cond = r.z;
  const hier = r.conductor && r.conductor.length > 0;
  if (hier) {
    r.conductor.forEach((h, l) => lstm(`decoder/hierarchical_level_0/cell_${l}/lstm_cell`, l === 0 ? 1 : r.conductor[l - 1], h));
    dense('decoder/hierarchical_level_0/initial_state', r.z, 2 * sum(r.conductor));
    cond = r.conductor[r.conductor.length - 1];
  }
  const decoder = (prefix, D) => {
    r.decoder.forEach((h, l) => lstm(`${prefix}multi_rnn_cell/cell_${l}/lstm_cell`, l === 0 ? D + cond : r.decoder[l - 1], h));
    dense(`${prefix}z_to_initial_state`, cond, 2 * sum(r.decoder));
    dense(`${prefix}output_projection`, r.decoder[r.decoder.length - 1], D);
  };
  if (r.splits && r.splits.length) {
    r.splits.forEach((D, i) => decoder(hier ? `core_decoder/core_decoder_${i}/decoder/` : `core_decoder_${i}/decoder/`, D));
  } else {
    decoder(hier ? 'core_decoder/decoder/' : 'decoder/', r.depth);
  }
  return w;
}

function writeCheckpoint(r) {
  const layout = checkpointLayout(r);
  const rng = new SplitMix64(r.seed || '0');
  const scale = r.scale || 0.6;
  const q = r.quantization || '';
  const parts = [];
  for (const t of layout) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u1 = rng.uniform(), u2 = rng.uniform();
      v[i] = scale * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
    const entry = { name: t.name, shape: t.shape, dtype: 'float32' };
    if (q === 'uint8' || q === 'uint16') {
      const levels = q === 'uint8' ? 255 : 65535;
      let min = Infinity, max = -Infinity;
      for (const x of v) { min = Math.min(min, x); max = Math.max(max, x); }
      const s = max > min ? (max - min) / levels : 1;
      const qs = q === 'uint8' ? new Uint8Array(n) : new Uint16Array(n);
      for (let i = 0; i < n; i++) qs[i] = Math.round((v[i] - min) / s);
      entry.quantization = { dtype: q, min, scale: s };
      parts.push(Buffer.from(qs.buffer, qs.byteOffset, qs.byteLength));
    } else if (q === '') {
      parts.push(Buffer.from(v.buffer));
    } else {
      throw new Error(`unknown quantization ${q}`);
    }
    t.entry = entry;
  }
  const all = Buffer.concat(parts);
  const shard = r.shardBytes || 4 << 20;
  const nShards = Math.max(1, Math.ceil(all.length / shard));
  const paths = [];
  mkdirSync(r.dir, { recursive: true });
  for (let i = 0; i < nShards; i++) {
    const p = `group1-shard${i + 1}of${nShards}`;
    paths.push(p);
    writeFileSync(join(r.dir, p), all.subarray(i * shard, Math.min(all.length, (i + 1) * shard)));
  }
  writeFileSync(join(r.dir, 'weights_manifest.json'), JSON.stringify([{ paths, weights: layout.map((t) => t.entry) }]));
  writeFileSync(join(r.dir, 'config.json'), JSON.stringify(r.config));
  return { weights: layout.map((t) => t.entry), bytes: all.length, shards: nShards };
}

// ---------------------------------------------------------------------------
// op "run": load a checkpoint folder with magenta.js and run it.
//
// {"op":"run", "dir": D, "weights": true,
//  "encode": {"shape": [B,T,D_in], "values": [flat]} (optional),
//  "decodes": [{"shape": [B,Z], "z": [flat], "temperature": 0 | 0.5 | 1, "seed": "7"}]}
//
// Answers {"versions", "weights": {name: {shape, values}} (magenta.js's
// loaded, dequantised tensors), "mu": {shape, values}, "decodes": [{temperature,
// seed, "tokens": {shape, values}, "draws": [{"rows", "logits" [rows·depth],
// "depth", "u" [rows], "pick" [rows]}]}]} or {"error": message} when
// magenta.js refuses the checkpoint at initialize().
//
// At a temperature > 0 magenta.js's categorical decoders call tf.multinomial
// once per step and split; the Multinomial kernel is replaced so that row i
// of the batch draws one uniform from SplitMix64(seed + i) per call, picks as
// the spec's sampler does, and the logits it saw (already divided by the
// temperature) are recorded. Groove and boolean decoders draw with
// tf.randomUniform, an op that cannot be replaced: they are run at
// temperature 0 only (the harness refuses otherwise).

function serve(dir) {
  return new Promise((ok) => {
    const srv = createServer((q, s) => {
      const name = decodeURIComponent(new URL(q.url, 'http://x').pathname).replace(/^\/+/, '');
      let body;
      try {
        if (name.includes('/') || name.startsWith('.')) throw new Error('bad name');
        body = readFileSync(join(dir, name));
      } catch {
        s.writeHead(404, { Connection: 'close' });
        s.end();
        return;
      }
      // Connection: close: Node's fetch keeps idle loopback connections,
      // which reset after magenta.js's long synchronous steps.
      s.writeHead(200, { 'Content-Length': body.length, Connection: 'close' });
      s.end(body);
    });
    srv.listen(0, '127.0.0.1', () => ok(srv));
  });
}

async function run(r) {
  const tf = req('@tensorflow/tfjs');
  const { MusicVAE } = req('@magenta/music/node/music_vae');
  await tf.setBackend('cpu');
  const out = {
    versions: {
      magenta: req('@magenta/music/package.json').version,
      tfjs: tf.version_core || (tf.version && tf.version['tfjs-core']),
      node: process.version,
    },
  };
  const cfg = JSON.parse(readFileSync(join(r.dir, 'config.json'), 'utf8'));
  const groovy = cfg.dataConverter.type === 'GrooveConverter' || cfg.useBooleanDecoder;
  for (const d of r.decodes || []) {
    if (d.temperature && groovy) throw new Error('a groove or boolean decoder draws with tf.randomUniform: run it at temperature 0 only');
  }

  // The Multinomial kernel of the CPU backend, replaced (REF §6.4).
  let current = null;
  tf.unregisterKernel('Multinomial', 'cpu');
  tf.registerKernel({
    kernelName: 'Multinomial',
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { logits } = inputs;
      if (!current) throw new Error('tf.multinomial called outside a decode');
      if (attrs.numSamples !== 1 || attrs.normalized) throw new Error(`unexpected multinomial attrs ${JSON.stringify(attrs)}`);
      const [rows, depth] = logits.shape;
      const vals = backend.data.get(logits.dataId).values;
      if (rows !== current.streams.length) throw new Error(`multinomial over ${rows} rows, batch ${current.streams.length}`);
      const draw = { rows, depth, logits: Array.from(vals), u: [], pick: [] };
      const picks = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const u = current.streams[i].uniform();
        picks[i] = categorical(vals.subarray(i * depth, (i + 1) * depth), u);
        draw.u.push(u);
        draw.pick.push(picks[i]);
      }
      current.draws.push(draw);
      return backend.makeTensorInfo([rows, 1], 'int32', picks);
    },
  });

  const srv = await serve(r.dir);
  const url = `http://127.0.0.1:${srv.address().port}`;
  const model = new MusicVAE(url);
  try {
    await model.initialize();
  } catch (e) {
    srv.close();
    out.error = String(e && e.message || e);
    return out;
  }
  srv.close();
  const flat = async (t) => ({ shape: t.shape, values: Array.from(await t.data()) });
  if (r.weights) {
    out.weights = {};
    for (const [name, t] of Object.entries(model.rawVars)) out.weights[name] = await flat(t);
  }
  if (r.encode) {
    const x = tf.tensor(r.encode.values, r.encode.shape, 'float32');
    const mu = await model.encodeTensors(x, undefined);
    out.mu = await flat(mu);
    x.dispose();
    mu.dispose();
  }
  out.decodes = [];
  for (const d of r.decodes || []) {
    const [B] = d.shape;
    const seed = BigInt(d.seed || '0');
    current = { streams: Array.from({ length: B }, (_, i) => new SplitMix64(seed + BigInt(i))), draws: [] };
    const z = tf.tensor(d.z, d.shape, 'float32');
    const tokens = await model.decodeTensors(z, d.temperature || undefined);
    out.decodes.push({ temperature: d.temperature || 0, seed: String(d.seed || '0'), tokens: await flat(tokens), draws: current.draws });
    current = null;
    z.dispose();
    tokens.dispose();
  }
  model.dispose();
  return out;
}

// ---------------------------------------------------------------------------
// op "convert": magenta.js's own MIDI reader and data converters on files.
//
// {"op":"convert", "files": [paths], "converters": [{"type", "args"}],
//  "stepsPerQuarter": 4}
//
// For each file: midi_io.midiToSequenceProto, then
// sequences.quantizeNoteSequence(ns, stepsPerQuarter); for each converter,
// the notes it is given (drums, drums one-hot and groove: the drum notes, isDrum; melody:
// the others; trio: all, it selects itself) and converter.toTensor, window
// by window: window w holds the notes whose quantizedStartStep is in
// [w·numSteps, (w+1)·numSteps), their steps shifted by −w·numSteps (times
// untouched), converted with the spec's args (numSegments dropped), and the
// windows' tensors are stacked: window w is rows [w·numSteps, (w+1)·numSteps).
// A GrooveConverter, whose offsets read the notes' times, converts the whole
// file at once instead (numSteps = the windows' steps): the same arithmetic
// with no shifted times.
// Answers {"files": [{file, totalQuantizedSteps, qpm, "notes": n,
// "tensors": [{shape, values} | {error}]} | {file, error}]}.

async function convert(r) {
  register(pathToFileURL(join(here, 'lib', 'esm_hooks.mjs')).href, import.meta.url);
  const esm = (p) => import(pathToFileURL(join(modules, '@magenta/music/esm', p)).href);
  const midiIO = await esm('core/midi_io.js');
  const seqs = await esm('core/sequences.js');
  const data = await esm('core/data.js');
  const tf = req('@tensorflow/tfjs');
  await tf.setBackend('cpu');
  const out = { files: [] };
  for (const file of r.files) {
    let qns;
    try {
      const ns = midiIO.midiToSequenceProto(readFileSync(file));
      qns = seqs.quantizeNoteSequence(ns, r.stepsPerQuarter || 4);
    } catch (e) {
      out.files.push({ file, error: String(e && e.message || e) });
      continue;
    }
    const f = { file, totalQuantizedSteps: qns.totalQuantizedSteps, qpm: qns.tempos[0].qpm, notes: qns.notes.length, tensors: [] };
    for (const spec of r.converters) {
      try {
        const N = spec.args.numSteps;
        const windows = Math.max(1, Math.ceil(qns.totalQuantizedSteps / N));
        const ns = seqs.clone(qns);
        if (['DrumsConverter', 'DrumsOneHotConverter', 'GrooveConverter'].includes(spec.type)) ns.notes = ns.notes.filter((n) => n.isDrum);
        if (spec.type === 'MelodyConverter') ns.notes = ns.notes.filter((n) => !n.isDrum);
        const args = JSON.parse(JSON.stringify(spec.args));
        delete args.numSegments;
        let t;
        if (spec.type === 'GrooveConverter') {
          // The whole file at once: times stay as read (no shifting).
          args.numSteps = windows * N;
          t = data.converterFromSpec({ type: spec.type, args }).toTensor(ns);
        } else {
          // Window by window, as a user converts a numSteps-long sequence.
          const conv = data.converterFromSpec({ type: spec.type, args });
          const parts = [];
          for (let w = 0; w < windows; w++) {
            const win = seqs.clone(ns);
            win.notes = ns.notes.filter((n) => n.quantizedStartStep >= w * N && n.quantizedStartStep < (w + 1) * N)
              .map((n) => { const m = { ...n }; m.quantizedStartStep -= w * N; m.quantizedEndStep -= w * N; return m; });
            win.totalQuantizedSteps = N;
            parts.push(conv.toTensor(win));
          }
          t = tf.concat(parts, 0);
          parts.forEach((p) => p.dispose());
        }
        f.tensors.push({ shape: t.shape, values: Array.from(await t.data()) });
        t.dispose();
      } catch (e) {
        f.tensors.push({ error: String(e && e.message || e) });
      }
    }
    out.files.push(f);
  }
  return out;
}

// ---------------------------------------------------------------------------
// op "interpolate": MusicVAE.getInterpolatedZs, which uses neither weights
// nor a checkpoint, on latent vectors.
//
// {"op":"interpolate", "z": {shape: [2 or 4, Z], values}, "steps": n}
// Answers {"zs": {shape, values}}: n vectors (2 corners) or n×n (4).

async function interpolate(r) {
  const tf = req('@tensorflow/tfjs');
  const { MusicVAE } = req('@magenta/music/node/music_vae');
  await tf.setBackend('cpu');
  const z = tf.tensor(r.z.values, r.z.shape, 'float32');
  const zs = MusicVAE.prototype.getInterpolatedZs.call({}, z, r.steps);
  const out = { zs: { shape: zs.shape, values: Array.from(await zs.data()) } };
  z.dispose();
  zs.dispose();
  return out;
}

// ---------------------------------------------------------------------------

const [reqPath, respPath] = process.argv.slice(2);
if (!reqPath || !respPath) {
  console.error('usage: node harness.mjs REQUEST.json RESPONSE.json');
  process.exit(2);
}
const r = JSON.parse(readFileSync(reqPath, 'utf8'));
const ops = { write: writeCheckpoint, run, convert, interpolate };
if (!ops[r.op]) {
  console.error(`unknown op ${r.op}`);
  process.exit(2);
}
const answer = await ops[r.op](r);
writeFileSync(respPath, JSON.stringify(answer));
// tfjs keeps no handles open, but be sure the process ends.
process.exit(0);
