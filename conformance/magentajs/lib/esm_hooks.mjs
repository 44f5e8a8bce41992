// Module hooks that let Node 20 import single modules of magenta.js's own
// ES-module build (node_modules/@magenta/music/esm/…), such as core/midi_io.js,
// core/sequences.js and core/data.js, without node/core (whose bundle pulls
// in `tone`, which does not load under Node 20). The esm build is TypeScript
// output meant for bundlers: relative imports lack the `.js` extension, the
// package does not say "type": "module", protobuf/proto.js is CommonJS, and
// the packages it imports by name (@tonejs/midi, tonal, @tensorflow/tfjs,
// protobufjs) are CommonJS whose names Node cannot always see. These hooks
// add the extension, load the esm files as ES modules, and wrap every
// CommonJS module they import in an ES module that re-exports its keys.
// compat/global.js, which calls `require` inside an ES module, is replaced by
// the same values built with createRequire (node-fetch; the modules we
// import use nothing else of it).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ESM = '/@magenta/music/esm/';
const WRAP = 'mvae-cjs:';

export async function resolve(specifier, context, next) {
  const parent = context.parentURL || '';
  if (!parent.includes(ESM)) return next(specifier, context);
  if (specifier.startsWith('.')) {
    const u = new URL(specifier, parent);
    for (const cand of [u.href, u.href + '.js', u.href + '/index.js']) {
      if (cand.endsWith('.js') && existsSync(fileURLToPath(cand))) return { url: cand, shortCircuit: true };
    }
  } else if (!specifier.startsWith('node:')) {
    const path = createRequire(parent).resolve(specifier);
    return { url: WRAP + pathToFileURL(path).href, shortCircuit: true };
  }
  return next(specifier, context);
}

// cjs wraps a CommonJS file as an ES module exporting its keys.
function cjs(file, from) {
  const keys = Object.keys(createRequire(from)(file)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  return `import { createRequire } from 'node:module';
const m = createRequire(${JSON.stringify(from)})(${JSON.stringify(file)});
export default m;
${keys.map((k) => `export const ${k} = m[${JSON.stringify(k)}];`).join('\n')}
`;
}

export async function load(url, context, next) {
  if (url.startsWith(WRAP)) {
    const href = url.slice(WRAP.length);
    return { format: 'module', shortCircuit: true, source: cjs(fileURLToPath(href), href) };
  }
  if (!url.includes(ESM)) return next(url, context);
  if (url.endsWith('/protobuf/proto.js')) {
    return { format: 'module', shortCircuit: true, source: cjs(fileURLToPath(url), url) };
  }
  if (url.endsWith('/core/compat/global.js')) {
    return {
      format: 'module', shortCircuit: true, source: `
import { createRequire } from 'node:module';
export const fetch = createRequire(${JSON.stringify(url)})('node-fetch');
export const performance = { now: () => Number(process.hrtime.bigint()) / 1e6, timing: { navigationStart: Date.now() } };
export const navigator = {};
export const isSafari = false;
export function getOfflineAudioContext() { throw new Error('no audio under Node'); }
`};
  }
  const r = await next(url, { ...context, format: 'module' });
  return { ...r, format: 'module', shortCircuit: true };
}
