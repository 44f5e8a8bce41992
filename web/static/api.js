// Every call the page makes to the JSON API of `mvae serve`, and the one place
// that reads its answers: a change of the API's shapes is a change here only.

export class APIError extends Error {}

async function request(path, init) {
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new APIError(`${path}: the server cannot be reached (${e.message})`);
  }
  const type = res.headers.get('Content-Type') || '';
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    if (type.includes('json')) {
      const body = await res.json().catch(() => null);
      const err = body && body.error;
      if (err) msg = typeof err === 'string' ? err : (err.message || err.code || msg);
    }
    throw new APIError(`${path}: ${msg}`);
  }
  return res;
}

async function postJSON(path, body) {
  const res = await request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.json();
}

// sequences reads the sequences of an answer as [{tokens, z}], each tokens
// one sequence of T*D numbers.
export function sequences(resp, T, D) {
  const out = [];
  if (Array.isArray(resp.sequences)) {
    for (const s of resp.sequences) {
      out.push({ tokens: flat(s.tokens), z: s.z ? flat(s.z) : null });
    }
    return out;
  }
  const toks = resp.tokens;
  const zs = resp.z || resp.zs;
  if (!toks) return out;
  const rows = splitRows(toks, T * D);
  const zrows = zs ? splitRows(zs, rows.length ? flat(zs).length / rows.length : 0) : [];
  rows.forEach((t, i) => out.push({ tokens: t, z: zrows[i] || null }));
  return out;
}

function flat(a) {
  return Array.isArray(a) && a.length && Array.isArray(a[0]) ? a.flat(Infinity) : Array.from(a);
}

function splitRows(a, n) {
  if (Array.isArray(a) && a.length && Array.isArray(a[0])) return a.map(flat);
  const f = flat(a);
  if (!n) return [f];
  const rows = [];
  for (let i = 0; i + n <= f.length; i += n) rows.push(f.slice(i, i + n));
  return rows;
}

// models returns [{name, representation, steps, depth, z_size, steps_per_quarter, attributes}].
export async function models() {
  const body = await (await request('/api/models')).json();
  const list = Array.isArray(body) ? body : (body.models || []);
  return list.map((m) => {
    const c = m.config || {};
    const rep = m.representation || c.representation || 'groove';
    const spq = m.steps_per_quarter || c.steps_per_quarter || 4;
    const bars = m.bars || c.bars || 1;
    const steps = m.steps || m.T || (bars * spq * 4);
    const depth = m.depth || m.input_size || c.input_size || { groove: 27, drums: 512, melody: 90, trio: 692 }[rep];
    let attributes = m.attributes || [];
    attributes = attributes.map((a) => (typeof a === 'string' ? a : a.name));
    return { name: m.name, representation: rep, steps, depth, z_size: m.z_size || c.z_size, steps_per_quarter: spq, bars, attributes };
  });
}

export function sample(model, { temperature, seed }) {
  return postJSON('/api/sample', { model, n: 1, temperature, seed });
}

// encode uploads a MIDI file (multipart, field "file").
export async function encode(model, file) {
  const form = new FormData();
  form.append('file', file, file.name || 'upload.mid');
  const res = await request(`/api/encode?model=${encodeURIComponent(model)}`, { method: 'POST', body: form });
  return res.json();
}

// latents reads the latent vectors of an encode answer.
export function latents(resp) {
  if (Array.isArray(resp.sequences)) return resp.sequences.map((s) => flat(s.z || s.mu));
  const z = resp.z || resp.mu || resp.zs;
  if (!z) return [];
  if (Array.isArray(z[0])) return z.map(flat);
  return [flat(z)];
}

export function decode(model, z, { temperature, seed, attribute, amount }) {
  const body = { model, z: [z], temperature, seed };
  if (attribute) { body.attribute = attribute; body.amount = amount; }
  return postJSON('/api/decode', body);
}

// interpolate asks for steps sequences between 2 corners (a line) or over 4
// corners (a steps×steps grid).
export function interpolate(model, zs, steps, { temperature, seed }) {
  return postJSON('/api/interpolate', { model, z: zs, steps, temperature, seed });
}

export function similar(model, tokens, n, similarity, { temperature, seed }) {
  return postJSON('/api/similar', { model, tokens: [tokens], n, similarity, temperature, seed });
}

// midi returns the tokens as a MIDI file (a Blob).
export async function midi(model, tokens, bpm) {
  const res = await request('/api/midi', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'audio/midi' },
    body: JSON.stringify({ model, tokens: [tokens], bpm }),
  });
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    const body = await res.json();
    const b64 = body.midi || (body.files && body.files[0]);
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Blob([bytes], { type: 'audio/midi' });
  }
  return res.blob();
}
