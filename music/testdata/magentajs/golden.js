// Writes golden.json: what magenta.js 1.23.1's converters return for the
// MIDI files TestMagentaJSGolden generates (music/magentajs_test.go), read as
// magenta.js reads MIDI (midiToSequenceProto, quantizeNoteSequence(ns, 4)),
// the notes of the first 32 steps:
//
//   MVAE_MAGENTA_CASES=/tmp/cases go test ./music -run TestMagentaJSGolden
//   npm install @magenta/music@1.23.1   (in this folder; Node 20)
//   node golden.js /tmp/cases > golden.json
//
// tone (the player) is stubbed: node/core requires it and its ESM build does
// not load under Node.
const Module = require('module');
const load = Module._load;
Module._load = function (req) {
  if (req === 'tone' || req === 'staffrender') return new Proxy({}, {get: () => function () {}});
  return load.apply(this, arguments);
};
const tf = require('@tensorflow/tfjs');
const core = require('@magenta/music/node/core');
const fs = require('fs');
const path = require('path');
tf.setBackend('cpu');
console.log = () => {}; // tfjs's banner

const T = 32;
const trio = new core.data.TrioConverter({numSteps: T, melArgs: {minPitch: 21, maxPitch: 108}, bassArgs: {minPitch: 21, maxPitch: 108}, drumsArgs: {}});
const drums = new core.data.DrumsConverter({numSteps: T});
const groove = new core.data.GrooveConverter({numSteps: T});
const tap = new core.data.GrooveConverter({numSteps: T, tapify: true});
const hum = new core.data.GrooveConverter({numSteps: T, humanize: true});
const argmaxRows = (t, from, depth) => {
  const v = t.dataSync(), D = t.shape[1], out = [];
  for (let s = 0; s < t.shape[0]; s++) {
    let k = -1, best = 0;
    for (let j = 0; j < depth; j++) if (v[s * D + from + j] > best) { best = v[s * D + from + j]; k = j; }
    out.push(k); // -1: a row of zeros
  }
  return out;
};
const nonzero = (t) => {
  const v = t.dataSync(), D = t.shape[1], out = [];
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) out.push([Math.floor(i / D), i % D, v[i]]);
  return out;
};
const dir = process.argv[2];
const files = fs.readdirSync(dir).filter(f => f.endsWith('.mid')).sort();
const out = [];
for (const f of files) {
  const r = {name: f};
  try {
    const q = core.sequences.quantizeNoteSequence(core.midiToSequenceProto(fs.readFileSync(path.join(dir, f))), 4);
    const sub = (keep) => { const c = core.sequences.clone(q); c.notes = c.notes.filter(n => keep(n) && n.quantizedStartStep < T); return c; };
    const tt = trio.toTensor(sub(() => true));
    r.trio = [argmaxRows(tt, 0, 90), argmaxRows(tt, 90, 90), argmaxRows(tt, 180, 512)];
    r.roll = nonzero(drums.toTensor(sub(n => n.isDrum)));
    r.groove = nonzero(groove.toTensor(sub(n => n.isDrum)));
    r.tap = nonzero(tap.toTensor(sub(n => n.isDrum)));
    r.hum = nonzero(hum.toTensor(sub(n => n.isDrum)));
  } catch (e) {
    r.err = e.message;
  }
  out.push(r);
}
process.stdout.write(JSON.stringify(out) + '\n');
