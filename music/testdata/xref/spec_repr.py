#!/usr/bin/python3
"""Independent reference implementation of MUSICVAE.md section 1
("Representations (MIDI <-> tensors)"), MIDI -> tensor direction only.

Written from the spec text alone, to cross-check another implementation.
Standard library + numpy + mido only (Debian: python3-numpy, python3-mido).

Usage:
    spec_repr.py FILE.mid --representation groove|drums|melody --bars N
                 [--drum-map gm|roland] [--channel C] -o OUT.npy

Writes every window of the one file (spec: "showing a file's windows does not"
drop duplicates) as a float32 array [windows, T, D] with np.save, prints
"OK <windows>" and exits 0. When the file is skipped (no 4/4 stretch: choice
2), cannot be parsed, or yields no window, it writes nothing, prints one line
"SKIP: <reason>" and exits 3. Bad command lines exit 2 (argparse).

Choices made where the spec is silent (Magenta / note_seq conventions where
they apply):

 1. Parsing: mido.MidiFile(path, clip=True) (data bytes > 127 clipped).
    Tick positions: every track is walked separately, summing delta times from
    0 (type 0, 1 and 2 files alike). Tempo is ignored (spec: tick based).
    ticks_per_quarter = the header's ticks_per_beat; an SMPTE division
    (non-positive value as read by mido) is reported as a SKIP; so is a
    file that is missing or that mido cannot read.
 2. Time signature (issue 13 amends the spec's "skip any file with another
    time signature"): a file is split at its time signature changes and each
    4/4 stretch is read as a file of its own. The time_signature events of
    every track, in the order of (3); a file starts in 4/4; of several events
    on one tick the last holds. A 4/4 stretch [lo, hi) runs from the tick 4/4
    comes into force (0 at the start) to the tick another signature does
    (hi = end of file for the last). Its notes are those with an onset in
    [lo, hi), moved lo ticks earlier (a melody note keeps its end, moved
    too); its windows lie within its (hi - lo) // (4 * tpq) whole bars.
    Windows list stretch by stretch. No 4/4 stretch, or no window in them,
    -> SKIP.
 3. Event order, used for every "first one" tie: ascending onset tick, then
    track index in file order, then the position of the event inside its track.
 4. Drums: note_on with velocity > 0 on 0-based channel 9, from any track.
    note_off messages are irrelevant for drums.
 5. groove: ties on one class/step -> the first note in the order of (3) with the
    highest velocity is kept; its velocity AND its offset are written.
    hit = 1.0, velocity = vel/127, offset computed in float64 exactly as the
    spec's formula, clipped, then cast to float32.
 6. drums (D=512): every step is one-hot; a step without hits has index 0 hot.
 7. melody (D=90): one-hot per step of the event (0 no event, 1 note off,
    2 + pitch - 21). Notes are paired per track (as note_seq/pretty_midi do):
    an open note is keyed by (channel, pitch) inside its track; note_off (any
    velocity) or note_on velocity 0 closes it (ignored if none is open); a new
    note_on velocity > 0 of the same key closes the open one at that tick and
    opens a new one; notes still open at the end of the track end at the
    track's last tick (the absolute tick of its last message, normally
    end_of_track). Events are processed in file order inside a track, so a
    note_on followed by its note_off on the same tick gives a zero-length note
    (end step = onset step + 1 by the "at least one step" rule).
    Channel 9 is never a melody line; --channel 9 therefore yields no window.
 8. melody walk: among onsets on one step the highest pitch wins; if several
    notes share that pitch on that step, the first in the order of (3) becomes
    the current note (its end step is the one tracked). This matches Magenta's
    stable sort by (start step, -pitch) that keeps the first note.
 9. melody roll length: n = 16 * (floor(m / 16) + 1) where m is the largest
    onset step or end step over ALL kept notes of that channel (also notes that
    lose to a higher pitch on their step), since the spec says "the roll
    reaches the bar of the last onset or end step".
10. Windows: start bars 0 .. (n/16 - bars) inclusive, hop one bar; none when the
    roll is shorter than one window. A melody window is kept when one of its
    steps holds a pitch event (>= 2). Output order: (melody) ascending channel,
    then ascending start bar.
11. --channel is only meaningful for melody and is ignored for groove/drums.
"""

import argparse
import math
import sys

import numpy as np

STEPS_PER_QUARTER = 4  # spec: steps_per_quarter = 4 (16th notes)
STEPS_PER_BAR = 16  # spec: 4/4 only, 16 steps a bar
DRUM_CHANNEL = 9  # spec: MIDI channel 10 (0-based 9)
NUM_CLASSES = 9
MIN_PITCH, MAX_PITCH = 21, 108  # spec: notes outside 21..108 are dropped
MELODY_D = 2 + MAX_PITCH - MIN_PITCH + 1  # = 90

# spec table: class -> pitches, in class order 0..8
DRUM_MAPS = {
    "gm": [
        [36, 35],  # 0 kick
        [38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85],  # 1 snare
        [42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22],  # 2 closed hi-hat
        [46, 67, 72, 74, 79, 81, 26],  # 3 open hi-hat
        [45, 29, 41, 43, 61, 64, 84],  # 4 low tom
        [48, 47, 60, 63, 77, 86, 87],  # 5 mid tom
        [50, 30, 62, 76, 83],  # 6 high tom
        [49, 52, 55, 57, 58],  # 7 crash
        [51, 53, 59, 82],  # 8 ride
    ],
    "roland": [
        [36],  # 0 kick
        [38, 37, 40],  # 1 snare
        [42, 22, 44],  # 2 closed hi-hat
        [46, 26],  # 3 open hi-hat
        [43, 58],  # 4 low tom
        [47, 45],  # 5 mid tom
        [50, 48],  # 6 high tom
        [49, 52, 55, 57],  # 7 crash
        [51, 53, 59],  # 8 ride
    ],
}


def pitch_to_class(map_name):
    table = {}
    for cls, pitches in enumerate(DRUM_MAPS[map_name]):
        for p in pitches:
            assert p not in table, (map_name, p)
            table[p] = cls
    return table


class Skip(Exception):
    pass


# ---------------------------------------------------------------- parsing


def read_midi(path):
    """Returns (tpq, tracks) where tracks[k] = list of (abs_tick, index, msg)."""
    import mido

    try:
        mid = mido.MidiFile(path, clip=True)
    except Exception as e:  # noqa: BLE001 - any parse failure is a skip
        raise Skip("cannot parse MIDI: %s" % (str(e).splitlines()[0] if str(e) else type(e).__name__))
    tpq = mid.ticks_per_beat
    if tpq <= 0:
        raise Skip("unsupported time division (SMPTE or 0)")
    tracks = []
    for track in mid.tracks:
        tick = 0
        events = []
        for idx, msg in enumerate(track):
            tick += msg.time  # choice 1: absolute ticks per track
            events.append((tick, idx, msg))
        tracks.append(events)
    return tpq, tracks


def stretches_44(tracks):
    """Choice 2: the 4/4 stretches [(lo, hi)] (hi None: to the end) and the
    first other time signature (num, den, tick), or None."""
    sigs = [(tick, msg.numerator, msg.denominator)
            for events in tracks for tick, _, msg in events if msg.type == "time_signature"]
    sigs.sort(key=lambda r: r[0])  # stable: track, then position, on one tick
    spans, lo, in44, other = [], 0, True, None
    for i, (tick, num, den) in enumerate(sigs):
        if i + 1 < len(sigs) and sigs[i + 1][0] == tick:
            continue  # the last one on a tick holds
        is44 = (num, den) == (4, 4)
        if in44 and not is44:
            if tick > lo:
                spans.append((lo, tick))
            if other is None:
                other = (num, den, tick)
        elif not in44 and is44:
            lo = tick
        in44 = is44
    if in44:
        spans.append((lo, None))
    return spans, other


def in_span(tick, lo, hi):
    return tick >= lo and (hi is None or tick < hi)


# ---------------------------------------------------------------- grid


def step_of(t, step_ticks):
    # spec: a note starting at tick t lands on step i = floor(t / step_ticks + 0.5)
    return int(math.floor(float(t) / step_ticks + 0.5))


def offset_of(t, i, step_ticks):
    # spec: offset (t - i*step_ticks) / (step_ticks/2), clipped to [-1, 1]
    o = (float(t) - i * step_ticks) / (step_ticks / 2.0)
    return min(1.0, max(-1.0, o))


def windows_of(roll, bars, keep, max_bars=None):
    """spec: windows of `bars` bars starting at every bar line, from bar 0 to the
    last full window (within max_bars bars: choice 2); `keep(window)` decides
    whether it is left out."""
    T = STEPS_PER_BAR * bars
    n = roll.shape[0] // STEPS_PER_BAR
    if max_bars is not None:
        n = min(n, max_bars)
    out = []
    for b in range(0, n - bars + 1):
        w = roll[b * STEPS_PER_BAR : b * STEPS_PER_BAR + T]
        if keep(w):
            out.append(w)
    return out


# ---------------------------------------------------------------- drums


def drum_onsets(tracks, map_name, step_ticks, lo=0, hi=None):
    """Kept drum onsets as (step, class, velocity, offset), in the order of
    choice 3 (tick, track, index)."""
    table = pitch_to_class(map_name)
    raw = []
    for k, events in enumerate(tracks):
        for tick, idx, msg in events:
            # spec: note-on events (velocity > 0) on MIDI channel 10 (0-based 9)
            if msg.type == "note_on" and msg.velocity > 0 and msg.channel == DRUM_CHANNEL:
                if msg.note not in table:  # spec: a pitch outside the map is dropped
                    continue
                if not in_span(tick, lo, hi):  # choice 2
                    continue
                raw.append((tick - lo, k, idx, table[msg.note], msg.velocity))
    raw.sort(key=lambda r: (r[0], r[1], r[2]))
    out = []
    for tick, _, _, cls, vel in raw:
        i = step_of(tick, step_ticks)
        out.append((i, cls, vel, offset_of(tick, i, step_ticks)))
    return out


def drum_roll_length(onsets):
    # spec: n = 16 * (floor(last_onset_step / 16) + 1)
    last = max(o[0] for o in onsets)
    return STEPS_PER_BAR * (last // STEPS_PER_BAR + 1)


def groove_windows(tracks, map_name, step_ticks, bars, lo=0, hi=None, max_bars=None):
    onsets = drum_onsets(tracks, map_name, step_ticks, lo, hi)
    if not onsets:
        return []
    n = drum_roll_length(onsets)
    hits = np.zeros((n, NUM_CLASSES), dtype=np.float64)
    best_vel = np.zeros((n, NUM_CLASSES), dtype=np.int64)
    vels = np.zeros((n, NUM_CLASSES), dtype=np.float64)
    offs = np.zeros((n, NUM_CLASSES), dtype=np.float64)
    for i, cls, vel, off in onsets:
        # spec: several notes of one class on one step: keep the highest
        # velocity (first one on a tie) -> replace only on strictly greater.
        if hits[i, cls] == 0 or vel > best_vel[i, cls]:
            hits[i, cls] = 1.0
            best_vel[i, cls] = vel
            vels[i, cls] = vel / 127.0  # spec: velocity = MIDI velocity / 127
            offs[i, cls] = off
    # spec: per step [hits(9), velocities(9), offsets(9)]; 0 where no hit
    roll = np.concatenate([hits, vels, offs], axis=1).astype(np.float32)
    return windows_of(roll, bars, lambda w: bool(w[:, :NUM_CLASSES].any()), max_bars)


def drums_windows(tracks, map_name, step_ticks, bars, lo=0, hi=None, max_bars=None):
    onsets = drum_onsets(tracks, map_name, step_ticks, lo, hi)
    if not onsets:
        return []
    n = drum_roll_length(onsets)
    index = np.zeros(n, dtype=np.int64)
    for i, cls, _, _ in onsets:
        index[i] |= 1 << cls  # spec: sum(2^class for each hit class)
    roll = np.zeros((n, 512), dtype=np.float32)
    roll[np.arange(n), index] = 1.0  # spec: one-hot (index 0 = no hit)
    return windows_of(roll, bars, lambda w: bool(w[:, 1:].any()), max_bars)


# ---------------------------------------------------------------- melody


def melody_notes(tracks):
    """Notes of non-drum channels as dicts, paired per track (choice 7)."""
    notes = []
    for k, events in enumerate(tracks):
        track_end = events[-1][0] if events else 0  # spec: "or at the end of its track"
        open_notes = {}  # (channel, pitch) -> note dict

        def close(key, tick):
            note = open_notes.pop(key)
            note["end"] = tick
            notes.append(note)

        for tick, idx, msg in events:
            if msg.type not in ("note_on", "note_off") or msg.channel == DRUM_CHANNEL:
                continue
            key = (msg.channel, msg.note)
            if msg.type == "note_on" and msg.velocity > 0:
                if key in open_notes:  # spec: "when the same pitch is struck again on that channel"
                    close(key, tick)
                open_notes[key] = {
                    "channel": msg.channel,
                    "pitch": msg.note,
                    "onset": tick,
                    "order": (tick, k, idx),
                }
            else:  # spec: "at its note-off (or note-on with velocity 0)"
                if key in open_notes:
                    close(key, tick)
        for key in list(open_notes):
            close(key, track_end)
    # spec: notes outside 21..108 are dropped
    return [n for n in notes if MIN_PITCH <= n["pitch"] <= MAX_PITCH]


def melody_roll(notes, step_ticks):
    """Event index per step of one channel's line."""
    by_step = {}
    last = 0
    for note in notes:
        s = step_of(note["onset"], step_ticks)
        # spec: end step floor(off / step_ticks + 0.5), at least one step after onset step
        e = max(step_of(note["end"], step_ticks), s + 1)
        note["s"], note["e"] = s, e
        by_step.setdefault(s, []).append(note)
        last = max(last, s, e)
    # spec: "The roll reaches the bar of the last onset or end step." (choice 9)
    n = STEPS_PER_BAR * (last // STEPS_PER_BAR + 1)
    events = np.zeros(n, dtype=np.int64)
    current_end = None
    for step in range(n):
        onsets = by_step.get(step)
        if onsets:
            # spec: a step with onsets gets the highest onset's pitch event and
            # that note becomes the current one (choice 8: first on a tie)
            top = max(o["pitch"] for o in onsets)
            chosen = min((o for o in onsets if o["pitch"] == top), key=lambda o: o["order"])
            events[step] = 2 + chosen["pitch"] - MIN_PITCH
            current_end = chosen["e"]
        elif current_end is not None and current_end == step:
            # spec: if the current note ends on this step, the step gets 1 (note off)
            events[step] = 1
            current_end = None
        # spec: otherwise 0
    return events


def melody_windows(tracks, step_ticks, bars, channel=None, lo=0, hi=None, max_bars=None):
    notes = []
    for n in melody_notes(tracks):  # choice 2: onsets in the stretch, moved
        if in_span(n["onset"], lo, hi):
            n["onset"] -= lo
            n["end"] -= lo
            notes.append(n)
    out = []
    # spec: a file's windows list channel by channel, in ascending channel order
    for ch in range(16):
        if ch == DRUM_CHANNEL or (channel is not None and ch != channel):
            continue
        ch_notes = [n for n in notes if n["channel"] == ch]
        if not ch_notes:
            continue
        events = melody_roll(ch_notes, step_ticks)
        roll = np.zeros((events.shape[0], MELODY_D), dtype=np.float32)
        roll[np.arange(events.shape[0]), events] = 1.0
        out.extend(windows_of(roll, bars, lambda w: bool(w[:, 2:].any()), max_bars))
    return out


# ---------------------------------------------------------------- main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--representation", required=True, choices=["groove", "drums", "melody"])
    ap.add_argument("--bars", required=True, type=int)
    ap.add_argument("--drum-map", default="gm", choices=["gm", "roland"])
    ap.add_argument("--channel", type=int, default=None, help="0-based MIDI channel (melody)")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    if args.bars < 1:
        ap.error("--bars must be >= 1")
    if args.channel is not None and not 0 <= args.channel <= 15:
        ap.error("--channel must be 0..15")

    try:
        tpq, tracks = read_midi(args.file)
        spans, other = stretches_44(tracks)
        if not spans:
            raise Skip("time signature %d/%d at tick %d, and no 4/4 stretch" % other)
        # spec: step_ticks = ticks_per_quarter / steps_per_quarter (real division, float64)
        step_ticks = float(tpq) / STEPS_PER_QUARTER
        if args.representation == "melody" and args.channel == DRUM_CHANNEL:
            raise Skip("channel 9 is the drum channel, not a melody line")
        wins = []
        for lo, hi in spans:
            max_bars = None if hi is None else (hi - lo) // (4 * tpq)
            if max_bars == 0:
                continue
            if args.representation == "groove":
                wins += groove_windows(tracks, args.drum_map, step_ticks, args.bars, lo, hi, max_bars)
                D = 3 * NUM_CLASSES
            elif args.representation == "drums":
                wins += drums_windows(tracks, args.drum_map, step_ticks, args.bars, lo, hi, max_bars)
                D = 512
            else:
                wins += melody_windows(tracks, step_ticks, args.bars, args.channel, lo, hi, max_bars)
                D = MELODY_D
        if not wins:
            raise Skip("no window")
    except Skip as e:
        print("SKIP: %s" % e)
        return 3

    arr = np.stack(wins).astype(np.float32)
    assert arr.shape[1:] == (STEPS_PER_BAR * args.bars, D), arr.shape
    with open(args.output, "wb") as f:  # exact path (np.save(str) would append .npy)
        np.save(f, arr)
    print("OK %d" % arr.shape[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
