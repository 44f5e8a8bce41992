#!/usr/bin/python3
"""Writes small, tricky MIDI files (mido) into the folder given as argument,
as inputs for cross-checking section 1 of MUSICVAE.md with spec_repr.py.

Usage: make_midi_cases.py OUTDIR

Each case is tiny; the comment of each case says what it exercises. Events of
one track are given as (absolute tick, message) and kept in the listed order
for equal ticks (stable sort), so "file order" on one tick is what is written.
"""

import os
import sys

import mido

M = mido.Message
Meta = mido.MetaMessage


def on(tick, note, vel=100, ch=9):
    return (tick, M("note_on", note=note, velocity=vel, channel=ch))


def off(tick, note, ch=9, vel=64):
    return (tick, M("note_off", note=note, velocity=vel, channel=ch))


def on0(tick, note, ch=9):
    """note_on with velocity 0 (a note-off)."""
    return (tick, M("note_on", note=note, velocity=0, channel=ch))


def hit(tick, note, vel=100, ch=9, dur=10):
    """A drum hit: note_on + note_off dur ticks later."""
    return [on(tick, note, vel, ch), off(tick + dur, note, ch)]


def ts(tick, num, den):
    return (tick, Meta("time_signature", numerator=num, denominator=den))


def track(events, end=None):
    """events: list of (abs_tick, msg), or nested lists of those.
    end: absolute tick of end_of_track (default: last event tick)."""
    flat = []

    def add(e):
        if isinstance(e, list):
            for x in e:
                add(x)
        else:
            flat.append(e)

    add(events)
    flat.sort(key=lambda e: e[0])  # stable: same-tick order as listed
    t = mido.MidiTrack()
    now = 0
    for tick, msg in flat:
        t.append(msg.copy(time=tick - now))
        now = tick
    last = now if end is None else end
    assert last >= now
    t.append(Meta("end_of_track", time=last - now))
    return t


def save(outdir, name, tracks, tpq=480, type_=1):
    mid = mido.MidiFile(type=type_, ticks_per_beat=tpq)
    for t in tracks:
        mid.tracks.append(t)
    mid.save(os.path.join(outdir, name))


def cases(outdir):
    Q = 480  # ticks per quarter for the default cases
    S = Q // 4  # ticks per step

    # Flams: several hits of one class on one step. Equal velocities -> the
    # first in time is kept, with its own offset; a louder later one wins;
    # hits on the exact same tick (same or other track) -> highest velocity,
    # then the first in file order (track order, then order inside the track).
    save(outdir, "drums_flam_ties_480.mid", [
        track([ts(0, 4, 4), (0, Meta("set_tempo", tempo=500000))]),
        track([
            hit(S - 10, 36, 90), hit(S + 10, 35, 90),        # kick tie: first (offset -1/6) kept
            hit(3 * S - 5, 38, 60), hit(3 * S + 5, 40, 61),  # snare: later louder one wins
            hit(5 * S, 42, 70), hit(5 * S, 44, 70),          # same tick, same class, tie
            hit(7 * S + 30, 46, 50), hit(7 * S - 30, 26, 50),  # listed late-first; time order decides
            hit(9 * S, 49, 127), hit(9 * S, 57, 126),        # same tick, first louder
            hit(16 * S + 3, 51, 80),                         # bar 1: ride
        ], end=40 * S),
        track([
            hit(5 * S, 54, 71),   # other track, same tick as the hi-hat tie, louder -> wins
            hit(9 * S, 55, 127),  # other track, same tick, equal to the loudest crash -> loses
            hit(S - 10, 36, 90),  # other track, exact same tick as first kick, tie -> track 1 wins
        ]),
    ], tpq=Q)

    # Notes exactly halfway between steps (round half up -> offset -1),
    # just before and after halfway; tpq 96 (step 24 ticks, half 12).
    save(outdir, "drums_halfway_96.mid", [
        track([
            hit(12, 36), hit(11, 38), hit(13, 42),
            hit(24 * 3 + 12, 46), hit(24 * 5 - 12, 45), hit(24 * 6 + 11, 48),
            hit(24 * 15 + 12, 50),  # rounds to step 16 -> roll has 2 bars
        ], end=24 * 20),
    ], tpq=96)

    # tpq 220: step 55 ticks, half step 27.5 (non-integer): offsets near +-1.
    save(outdir, "drums_offsets_220.mid", [
        track([
            hit(27, 36), hit(28, 38), hit(55 + 27, 42), hit(110 - 27, 46),
            hit(55 * 7 + 1, 49), hit(55 * 9 - 1, 51), hit(55 * 31 + 27, 36, 1),
        ]),
    ], tpq=220)

    # Odd tick resolutions: tpq 7 (1.75 ticks a step) and tpq 6 (1.5).
    save(outdir, "drums_tpq7.mid", [
        track([hit(t, [36, 38, 42, 46, 45][t % 5], 1 + (37 * t) % 127, dur=1) for t in range(0, 60, 1)]),
    ], tpq=7)
    save(outdir, "drums_tpq6.mid", [
        track([hit(t, [36, 38, 42][t % 3], 20 + t, dur=1) for t in range(0, 50, 2)]),
    ], tpq=6)

    # Pitches outside the map (gm and roland differ: e.g. 34 gm-snare only,
    # 58 gm-crash vs roland-low-tom, 45 low tom gm vs mid tom roland);
    # drum pitches on channel 0 (not drums); velocity-0 note_on on ch 9.
    save(outdir, "drums_unmapped_960.mid", [
        track([
            hit(0, 21), hit(0, 127), hit(240, 34), hit(480, 58), hit(720, 45),
            hit(960, 43), hit(1200, 48), hit(1440, 26), hit(1680, 90),
            hit(1920, 36, ch=0), on0(2160, 36), on(2400, 60, 100, 9),
            hit(2640, 35), hit(2880, 22), hit(3120, 80), hit(3360, 87),
        ]),
    ], tpq=960)

    # Time signatures: 3/4 -> skip; 2/2 -> skip (literally "other than 4/4");
    # 4/4 then 6/8 later -> the 4/4 bars; explicit 4/4 repeated -> one
    # stretch; 4/4, 3/4, 4/4 again off the 4/4 grid -> two stretches, the
    # second read from its own start; drums and a melody across the changes.
    body = [hit(i * S, 36) for i in range(0, 40, 4)]
    save(outdir, "ts_3_4.mid", [track([ts(0, 3, 4), body])], tpq=Q)
    save(outdir, "ts_4_4_then_6_8.mid", [track([ts(0, 4, 4), ts(16 * S, 6, 8), body])], tpq=Q)
    save(outdir, "ts_2_2.mid", [track([ts(0, 2, 2), body])], tpq=Q)
    save(outdir, "ts_4_4_twice.mid", [track([ts(0, 4, 4), body]), track([ts(32 * S, 4, 4)])], tpq=Q)
    dense = [hit(i * S + (i % 3) * 7, [36, 38, 42][i % 3], 40 + i % 80) for i in range(0, 160, 2)]
    save(outdir, "ts_split_3_4.mid", [track([ts(0, 4, 4), ts(32 * S, 3, 4), ts(44 * S, 4, 4), ts(99 * S, 5, 4), ts(99 * S, 4, 4), dense])], tpq=Q)
    save(outdir, "ts_starts_3_4.mid", [track([ts(0, 3, 4), ts(24 * S, 4, 4), dense]), track([ts(120 * S, 7, 8)])], tpq=Q)
    mline = [[on(i * S + i % 5, 60 + i % 12, 90, ch=0), off((i + 5) * S, 60 + i % 12, ch=0)] for i in range(0, 150, 3)]
    save(outdir, "ts_split_melody.mid", [track([ts(0, 4, 4), ts(40 * S, 6, 8), ts(52 * S, 4, 4)]), track(mline)], tpq=Q)

    # Empty bars: drums in bars 0, 2 and 4 only (bars 1 and 3 empty).
    save(outdir, "drums_gaps_480.mid", [
        track([hit(b * 16 * S + i * 2 * S, [36, 38, 42][i % 3], 64 + i) for b in (0, 2, 4) for i in range(8)]),
    ], tpq=Q)
    # Only bar 3 has a hit: 4-bar window from bar 0 exists, shorter ones only at bar 3.
    save(outdir, "drums_late_480.mid", [track([hit(3 * 16 * S + 5 * S, 38)])], tpq=Q)

    # Same music as type 0 (one track, mixed channels) and as type 1.
    mel = [
        on(0, 60, 90, 0), on(0, 64, 80, 0), off(2 * S, 60, 0), off(3 * S, 64, 0),
        on(4 * S, 67, 100, 0), on0(8 * S + 59, 67, 0),
        on(9 * S, 72, 100, 1), off(30 * S, 72, 1),
    ]
    drm = [hit(i * S + (i % 3) * 7, [36, 42, 38, 42][i % 4], 40 + 2 * i) for i in range(32)]
    save(outdir, "mixed_type0_480.mid", [track([ts(0, 4, 4), mel, drm])], tpq=Q, type_=0)
    save(outdir, "mixed_type1_480.mid", [track([ts(0, 4, 4)]), track(mel), track(drm)], tpq=Q, type_=1)

    # No drums at all (groove/drums -> skip; melody -> ok).
    save(outdir, "no_drums_220.mid", [
        track([on(0, 48, 100, 2), off(220, 48, 2), on(440, 50, 100, 2), off(660 + 27, 50, 2)]),
    ], tpq=220)

    # Melody rules on channel 0, tpq 96 (step 24):
    #  - chord: the highest pitch wins; lower note that outlives it is not current
    #  - a lower note starting while a higher one sounds takes over
    #  - the same pitch struck again (no note-off) ends the first note
    #  - note_on velocity 0 as note-off; note-on and note-off on the same tick
    #  - notes outside 21..108 (20, 109) dropped
    #  - a note without note-off ends at the end of its track
    #  - a note ending on the step where another starts: onset wins
    save(outdir, "melody_rules_96.mid", [
        track([
            on(0, 60, 100, 0), on(0, 55, 100, 0), off(24, 60, 0), off(24 * 6, 55, 0),
            on(24 * 8, 72, 100, 0), on(24 * 9, 65, 100, 0), off(24 * 10, 65, 0), off(24 * 12, 72, 0),
            on(24 * 16, 62, 100, 0), on(24 * 18, 62, 100, 0), on0(24 * 20 + 11, 62, 0),
            on(24 * 22, 64, 100, 0), off(24 * 22, 64, 0),
            on(24 * 24, 20, 100, 0), on(24 * 25, 109, 100, 0), off(24 * 26, 20, 0), off(24 * 27, 109, 0),
            on(24 * 28, 21, 100, 0), off(24 * 29, 21, 0), on(24 * 29, 108, 100, 0), off(24 * 30, 108, 0),
            on(24 * 32 + 13, 70, 100, 0), off(24 * 34, 70, 0),
            off(24 * 40, 99, 0),  # stray note-off, ignored
            on(24 * 44, 77, 100, 0),  # never released: ends at the end of the track
        ], end=24 * 61 + 12),  # end_of_track rounds to step 62 (bar 3)
    ], tpq=96)

    # Several channels, interleaved in two tracks; channel 9 present but not a melody line;
    # channel 15; windows listed by channel. Overlapping notes across channels.
    save(outdir, "melody_channels_960.mid", [
        track([ts(0, 4, 4), on(0, 40, 100, 3), off(960 * 2, 40, 3), on(960 * 8, 41, 100, 3),
               off(960 * 9, 41, 3), hit(0, 36), hit(960, 38)]),
        track([on(240, 80, 100, 1), off(720, 80, 1), on(480, 81, 100, 15), off(960 * 5, 81, 15),
               on(960 * 4, 82, 100, 1), on(960 * 4 + 10, 83, 100, 1),
               off(960 * 5, 82, 1), off(960 * 6 - 121, 83, 1),
               on(960 * 12, 84, 100, 0)], end=960 * 16),
    ], tpq=960)

    # A note whose end step crosses into the next bar extends the roll (end step rule).
    save(outdir, "melody_end_extends_480.mid", [
        track([on(0, 60, 100, 4), off(15 * S + 1, 60, 4), on(15 * S + 1, 62, 100, 4), off(16 * S - 1, 62, 4)]),
    ], tpq=Q)

    # Cases where the spec is silent (see spec_repr.py's header); names end in
    # "_ambiguous" so a cross-check can list them apart.
    # (a) The same pitch struck twice on one step (different ticks): the second
    #     strike ends the first (end step = onset + 1); which one is "current"?
    #     spec_repr.py: the first one -> note off on the next step.
    save(outdir, "melody_same_pitch_same_step_ambiguous.mid", [
        track([on(S * 4 - 50, 70, 100, 0), on(S * 4 + 50, 70, 90, 0), off(S * 8, 70, 0),
               on(S * 20, 72, 100, 0), off(S * 21, 72, 0)]),
    ], tpq=Q)
    # (b) A lower note hidden by a higher one on its onset step outlives every
    #     other note: does its end step extend the roll? spec_repr.py: yes
    #     (bars=2 gives one window; it would give none otherwise).
    save(outdir, "melody_masked_note_extends_roll_ambiguous.mid", [
        track([on(0, 72, 100, 0), on(0, 48, 100, 0), off(S, 72, 0), off(S * 20, 48, 0)]),
    ], tpq=Q)
    # (c) Note-on in one track, its note-off (same channel and pitch) in
    #     another. spec_repr.py pairs per track: the note lasts to its track's end.
    save(outdir, "melody_cross_track_pairing_ambiguous.mid", [
        track([on(0, 60, 100, 0), on(S * 2, 62, 100, 0), off(S * 3, 62, 0)], end=S * 40),
        track([off(S, 60, 0)], end=S * 4),
    ], tpq=Q)

    # Nothing usable: only meta events.
    save(outdir, "empty.mid", [track([ts(0, 4, 4)], end=1920)], tpq=Q)

    # Not a MIDI file at all.
    with open(os.path.join(outdir, "garbage.mid"), "wb") as f:
        f.write(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0MTrk\x00\x00\x00\x20\x00\x90")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_midi_cases.py OUTDIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    cases(outdir)


if __name__ == "__main__":
    main()
