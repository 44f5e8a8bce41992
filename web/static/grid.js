// The grid: a step grid of drum rows (velocity as shade) or a piano roll,
// one cell a step and a row. Click a cell, or move with the arrow keys and
// press space or enter, to toggle it.

import { DRUMS, drumHits, notes, parts, pitchName } from './seq.js';

const PART_NAMES = ['lead', 'bass', 'drums'];

export class Grid {
  constructor(el, onToggle) {
    this.el = el;
    this.onToggle = onToggle; // (step, row value, part index) => void
    this.cells = []; // [row][step]
    this.focus = { row: 0, step: 0 };
    el.addEventListener('click', (e) => {
      const c = e.target.closest('.cell');
      if (!c) return;
      this.focus = { row: +c.dataset.r, step: +c.dataset.s };
      this.onToggle(+c.dataset.s, +c.dataset.v, +c.dataset.p);
    });
    el.addEventListener('keydown', (e) => this.key(e));
  }

  key(e) {
    const c = e.target.closest('.cell');
    if (!c) return;
    let { row, step } = { row: +c.dataset.r, step: +c.dataset.s };
    const rows = this.cells.length, T = this.cells[0].length;
    switch (e.key) {
      case 'ArrowLeft': step = Math.max(0, step - 1); break;
      case 'ArrowRight': step = Math.min(T - 1, step + 1); break;
      case 'ArrowUp': row = Math.max(0, row - 1); break;
      case 'ArrowDown': row = Math.min(rows - 1, row + 1); break;
      case ' ': case 'Enter': e.preventDefault(); this.focus = { row, step }; this.onToggle(step, +c.dataset.v, +c.dataset.p); this.cells[row][step].focus(); return;
      default: return;
    }
    e.preventDefault();
    this.moveFocus(row, step);
  }

  moveFocus(row, step) {
    const old = this.cells[this.focus.row] && this.cells[this.focus.row][this.focus.step];
    if (old) old.tabIndex = -1;
    this.focus = { row, step };
    const c = this.cells[row][step];
    c.tabIndex = 0;
    c.focus();
  }

  // render draws song = {tokens, T, D, rep, stepsPerQuarter}.
  render(song) {
    const { tokens, T, D, rep, stepsPerQuarter } = song;
    const rows = []; // [{label, value, part, black}]
    const on = new Map(); // "row,step" → shade or 'hold'
    const all = parts(rep);
    all.forEach((part, pi) => {
      const prefix = all.length > 1 ? `${PART_NAMES[pi]} ` : '';
      const first = rows.length;
      if (part.kind === 'melody') {
        const ns = notes(tokens, T, D, part);
        let lo = 60, hi = 72;
        for (const n of ns) { lo = Math.min(lo, n.pitch); hi = Math.max(hi, n.pitch); }
        lo = Math.max(21, lo - 2); hi = Math.min(108, Math.max(hi + 2, lo + 23));
        for (let p = hi; p >= lo; p--) rows.push({ label: prefix + pitchName(p), value: p, part: pi, black: [1, 3, 6, 8, 10].includes(p % 12) });
        for (const n of ns) {
          const r = first + hi - n.pitch;
          on.set(`${r},${n.step}`, 1);
          for (let k = 1; k < n.length && n.step + k < T; k++) on.set(`${r},${n.step + k}`, 'hold');
        }
      } else {
        DRUMS.forEach((label, i) => rows.push({ label: prefix + label, value: i, part: pi }));
        for (const h of drumHits(tokens, T, D, part)) on.set(`${first + h.row},${h.step}`, h.velocity);
      }
    });
    const el = this.el;
    el.replaceChildren();
    el.style.gridTemplateColumns = `92px repeat(${T}, minmax(9px, 1fr))`;
    el.dataset.rep = rep;
    this.cells = [];
    const bar = stepsPerQuarter * 4;
    const frag = document.createDocumentFragment();
    rows.forEach((row, r) => {
      const name = document.createElement('div');
      name.className = 'rowname';
      name.textContent = row.label;
      name.setAttribute('aria-hidden', 'true');
      frag.appendChild(name);
      const line = [];
      for (let s = 0; s < T; s++) {
        const c = document.createElement('div');
        c.className = 'cell';
        c.setAttribute('role', 'button');
        c.tabIndex = -1;
        c.dataset.r = r; c.dataset.s = s; c.dataset.v = row.value; c.dataset.p = row.part;
        if (row.black) c.classList.add('black');
        else if (s % stepsPerQuarter === 0) c.classList.add('beat');
        if (s % bar === 0) c.classList.add('bar');
        const v = on.get(`${r},${s}`);
        if (v === 'hold') c.classList.add('hold');
        else if (v !== undefined) {
          c.classList.add('on');
          c.style.setProperty('--v', (0.3 + 0.7 * Math.max(0, Math.min(1, v))).toFixed(2));
        }
        c.setAttribute('aria-label', `${row.label}, step ${s + 1}`);
        c.setAttribute('aria-pressed', String(v !== undefined && v !== 'hold'));
        line.push(c);
        frag.appendChild(c);
      }
      this.cells.push(line);
    });
    el.appendChild(frag);
    const f = this.focus;
    if (f.row >= rows.length || f.step >= T) this.focus = { row: 0, step: 0 };
    this.cells[this.focus.row][this.focus.step].tabIndex = 0;
  }

  // x returns the horizontal position of step (fractional) within the grid.
  x(step) {
    const line = this.cells[0];
    if (!line || !line.length) return 0;
    const i = Math.min(line.length - 1, Math.floor(step));
    const c = line[i];
    return c.offsetLeft + (step - i) * c.offsetWidth;
  }
}
