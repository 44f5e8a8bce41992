// What the tokens of one sequence mean (spec §1): the rows of its grid, the
// cells that sound, and the edit of one cell. Tokens are a flat array of T*D
// numbers; every function here reads them and edits them in place.

export const DRUMS = ['kick', 'snare', 'closed hi-hat', 'open hi-hat', 'low tom', 'mid tom', 'high tom', 'crash', 'ride'];
const MIN_PITCH = 21;
const NOTE_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

export function pitchName(p) { return NOTE_NAMES[p % 12] + (Math.floor(p / 12) - 1); }

// parts of a representation: which slices of a step are drums or a melody.
export function parts(rep) {
  switch (rep) {
    case 'groove': return [{ kind: 'groove', off: 0 }];
    case 'drums': return [{ kind: 'drums', off: 0 }];
    case 'melody': return [{ kind: 'melody', off: 0 }];
    case 'trio': return [{ kind: 'melody', off: 0 }, { kind: 'melody', off: 90 }, { kind: 'drums', off: 180 }];
  }
  throw new Error(`unknown representation ${rep}`);
}

function argmax(t, i, n) {
  let best = 0;
  for (let k = 1; k < n; k++) if (t[i + k] > t[i + best]) best = k;
  return best;
}

function oneHot(t, i, n, k) {
  for (let j = 0; j < n; j++) t[i + j] = j === k ? 1 : 0;
}

// hits returns the drum hits of a drums or groove part: [{step, row, velocity, offset}].
export function drumHits(tokens, T, D, part) {
  const out = [];
  for (let s = 0; s < T; s++) {
    const i = s * D + part.off;
    if (part.kind === 'groove') {
      for (let r = 0; r < 9; r++) {
        if (tokens[i + r] > 0.5) out.push({ step: s, row: r, velocity: tokens[i + 9 + r] || 0.8, offset: tokens[i + 18 + r] || 0 });
      }
    } else {
      const k = argmax(tokens, i, 512);
      for (let r = 0; r < 9; r++) if (k & (1 << r)) out.push({ step: s, row: r, velocity: 0.8, offset: 0 });
    }
  }
  return out;
}

// notes returns the notes of a melody part: [{step, pitch, length}] in steps.
export function notes(tokens, T, D, part) {
  const out = [];
  let cur = null;
  for (let s = 0; s < T; s++) {
    const k = argmax(tokens, s * D + part.off, 90);
    if (k === 0) { if (cur) cur.length++; continue; }
    cur = null;
    if (k >= 2) { cur = { step: s, pitch: k - 2 + MIN_PITCH, length: 1 }; out.push(cur); }
  }
  return out;
}

// toggleDrum flips one drum class at one step.
export function toggleDrum(tokens, D, part, step, row) {
  const i = step * D + part.off;
  if (part.kind === 'groove') {
    const on = tokens[i + row] > 0.5;
    tokens[i + row] = on ? 0 : 1;
    tokens[i + 9 + row] = on ? 0 : 0.8;
    tokens[i + 18 + row] = 0;
    return;
  }
  const k = argmax(tokens, i, 512) ^ (1 << row);
  oneHot(tokens, i, 512, k);
}

// toggleNote starts a one-step note of pitch at step, or removes the note
// that starts there.
export function toggleNote(tokens, T, D, part, step, pitch) {
  const i = step * D + part.off;
  const tok = pitch - MIN_PITCH + 2;
  if (argmax(tokens, i, 90) === tok) {
    oneHot(tokens, i, 90, 1); // note off: silence from here
    return;
  }
  oneHot(tokens, i, 90, tok);
  if (step + 1 < T && argmax(tokens, (step + 1) * D + part.off, 90) === 0) oneHot(tokens, (step + 1) * D + part.off, 90, 1);
}
