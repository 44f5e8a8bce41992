// Playback with WebAudio: drums synthesised in the browser (kick: a sine
// sweep; snare and hi-hats: filtered noise; toms: pitched sines; cymbals:
// high-passed noise), melodies with an oscillator, looping at the chosen bpm.

import { drumHits, notes, parts } from './seq.js';

const TOM_HZ = [110, 150, 200];

export class Player {
  constructor() {
    this.ctx = null;
    this.timer = null;
    this.song = null; // {tokens, T, D, rep, stepsPerQuarter}
    this.bpm = 120;
  }

  ensure() {
    if (!this.ctx) {
      this.ctx = new AudioContext();
      const len = this.ctx.sampleRate;
      this.noise = this.ctx.createBuffer(1, len, this.ctx.sampleRate);
      const d = this.noise.getChannelData(0);
      for (let i = 0; i < len; i++) d[i] = Math.random() * 2 - 1;
      this.master = this.ctx.createGain();
      this.master.gain.value = 0.7;
      this.master.connect(this.ctx.destination);
    }
    return this.ctx;
  }

  get playing() { return this.timer !== null; }

  stepSeconds() { return 60 / this.bpm / this.song.stepsPerQuarter; }

  async start() {
    const ctx = this.ensure();
    await ctx.resume();
    this.t0 = ctx.currentTime + 0.05;
    this.nextStep = 0;
    this.timer = setInterval(() => this.schedule(), 25);
    this.schedule();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }

  // position is the step the playhead is on (fractional), or -1 when stopped.
  position() {
    if (!this.playing || !this.song) return -1;
    const t = (this.ctx.currentTime - this.t0) / this.stepSeconds();
    if (t < 0) return 0;
    return t % this.song.T;
  }

  schedule() {
    if (!this.song) return;
    const ctx = this.ctx;
    const step = this.stepSeconds();
    const horizon = ctx.currentTime + 0.12;
    const { tokens, T, D, rep } = this.song;
    for (;;) {
      const at = this.t0 + this.nextStep * step;
      if (at >= horizon) break;
      const s = this.nextStep % T;
      for (const part of parts(rep)) {
        if (part.kind === 'melody') {
          for (const n of notes(tokens, T, D, part)) {
            if (n.step === s) this.tone(at, n.pitch, n.length * step, part.off ? 'triangle' : 'square');
          }
        } else {
          for (const h of drumHits(tokens, T, D, part)) {
            if (h.step === s) this.drum(Math.max(at + h.offset * step / 2, ctx.currentTime), h.row, h.velocity);
          }
        }
      }
      this.nextStep++;
    }
  }

  env(at, peak, decay) {
    const g = this.ctx.createGain();
    g.gain.setValueAtTime(peak, at);
    g.gain.exponentialRampToValueAtTime(0.001, at + decay);
    g.connect(this.master);
    return g;
  }

  noiseBurst(at, filterType, freq, peak, decay) {
    const src = this.ctx.createBufferSource();
    src.buffer = this.noise;
    const f = this.ctx.createBiquadFilter();
    f.type = filterType;
    f.frequency.value = freq;
    src.connect(f).connect(this.env(at, peak, decay));
    src.start(at, Math.random() * 0.5);
    src.stop(at + decay + 0.05);
  }

  sine(at, from, to, peak, decay, type = 'sine') {
    const o = this.ctx.createOscillator();
    o.type = type;
    o.frequency.setValueAtTime(from, at);
    o.frequency.exponentialRampToValueAtTime(to, at + decay);
    o.connect(this.env(at, peak, decay));
    o.start(at);
    o.stop(at + decay + 0.05);
  }

  drum(at, row, velocity) {
    const v = Math.max(0.05, Math.min(1, velocity));
    switch (row) {
      case 0: this.sine(at, 150, 40, v, 0.35); break; // kick
      case 1: this.noiseBurst(at, 'bandpass', 1800, v * 0.9, 0.18); this.sine(at, 200, 150, v * 0.4, 0.08, 'triangle'); break; // snare
      case 2: this.noiseBurst(at, 'highpass', 7000, v * 0.5, 0.05); break; // closed hi-hat
      case 3: this.noiseBurst(at, 'highpass', 7000, v * 0.5, 0.35); break; // open hi-hat
      case 4: case 5: case 6: { const f = TOM_HZ[row - 4]; this.sine(at, f * 1.3, f, v * 0.8, 0.3); break; } // toms
      case 7: this.noiseBurst(at, 'highpass', 5000, v * 0.45, 1.2); break; // crash
      case 8: this.noiseBurst(at, 'highpass', 9000, v * 0.35, 0.6); this.sine(at, 5200, 5000, v * 0.05, 0.4); break; // ride
    }
  }

  tone(at, pitch, seconds, type) {
    const o = this.ctx.createOscillator();
    o.type = type;
    o.frequency.value = 440 * Math.pow(2, (pitch - 69) / 12);
    const g = this.ctx.createGain();
    g.gain.setValueAtTime(0, at);
    g.gain.linearRampToValueAtTime(0.15, at + 0.01);
    g.gain.setValueAtTime(0.15, at + Math.max(0.02, seconds - 0.03));
    g.gain.linearRampToValueAtTime(0, at + seconds);
    o.connect(g).connect(this.master);
    o.start(at);
    o.stop(at + seconds + 0.02);
  }
}
