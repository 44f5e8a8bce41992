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

// sequences reads the sequences of an answer: [{tokens, z}], tokens one
// sequence of T*D numbers, z its latent vector.
export function sequences(resp) {
  return (resp.sequences || []).map((s) => ({ tokens: Array.from(s.tokens), z: s.z ? Array.from(s.z) : null }));
}

// models returns the server's models: [{name, representation, steps, depth,
// z_size, steps_per_quarter, bars, attributes}].
export async function models() {
  const body = await (await request('/api/models')).json();
  return (body.models || []).map((m) => ({ ...m, attributes: m.attributes || [] }));
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

// latents reads the latent vectors of an encode answer, one a window.
export function latents(resp) {
  return sequences(resp).map((s) => s.z).filter((z) => z);
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
  return postJSON('/api/similar', { model, tokens, n, similarity, temperature, seed });
}

// midi returns the tokens as a MIDI file (a Blob).
export async function midi(model, tokens, bpm) {
  const res = await request('/api/midi', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'audio/midi' },
    body: JSON.stringify({ model, tokens, bpm }),
  });
  return res.blob();
}
