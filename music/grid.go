package music

import (
	"fmt"
	"math"
	"sort"
)

// StepsPerQuarter is the grid: 16th notes.
const StepsPerQuarter = 4

// StepsPerBar is 16: the grid knows 4/4 only.
const StepsPerBar = 4 * StepsPerQuarter

// MaxSteps bounds the length of a roll (4096 bars), so that a hostile file
// cannot make the reader allocate without limit.
const MaxSteps = 4096 * StepsPerBar

// grid quantises ticks to 16th-note steps (spec §1): tick based, so tempo
// changes do not move it.
type grid struct {
	stepTicks float64 // ticks_per_quarter / steps_per_quarter, a real division
}

func newGrid(ticksPerQuarter int) grid {
	return grid{stepTicks: float64(ticksPerQuarter) / StepsPerQuarter}
}

// step is floor(t / step_ticks + 0.5).
func (g grid) step(t int64) int64 {
	return int64(math.Floor(float64(t)/g.stepTicks + 0.5))
}

// offset is (t - i*step_ticks) / (step_ticks/2), clipped to [-1, 1].
func (g grid) offset(t, i int64) float64 {
	at := float64(float64(i) * g.stepTicks) // no fused multiply-add: match other implementations bit for bit
	o := (float64(t) - at) / (g.stepTicks / 2)
	return math.Max(-1, math.Min(1, o))
}

// rollSteps is 16 * (floor(last/16) + 1): whole bars up to the bar of step last.
func rollSteps(last int64) (int, error) {
	n := StepsPerBar * (last/StepsPerBar + 1)
	if n > MaxSteps {
		return 0, &SkipError{Kind: SkipTooLong, Reason: fmt.Sprintf("spans %d bars, more than the %d mvae reads", n/StepsPerBar, MaxSteps/StepsPerBar)}
	}
	return int(n), nil
}

// stretch is a span of ticks [start, end) of one time signature; end < 0:
// to the end of the song.
type stretch struct{ start, end int64 }

// stretches44 returns the 4/4 stretches of a song in order: the spans in
// which the time signature in force is 4/4 (a song starts in 4/4; of several
// time signatures on one tick, the last in file order holds). other is the
// first other time signature, for the reason a song is skipped.
func (s *Song) stretches44() (parts []stretch, other *TimeSignature) {
	ts := append([]TimeSignature(nil), s.TimeSignatures...)
	sort.SliceStable(ts, func(a, b int) bool { return ts[a].Tick < ts[b].Tick })
	in44, start := true, int64(0)
	for i := range ts {
		if i+1 < len(ts) && ts[i+1].Tick == ts[i].Tick {
			continue
		}
		is44 := ts[i].Numerator == 4 && ts[i].Denominator == 4
		switch {
		case in44 && !is44:
			if ts[i].Tick > start {
				parts = append(parts, stretch{start, ts[i].Tick})
			}
			if other == nil {
				other = &ts[i]
			}
		case !in44 && is44:
			start = ts[i].Tick
		}
		in44 = is44
	}
	if in44 {
		parts = append(parts, stretch{start, -1})
	}
	return parts, other
}

// slice is the song's notes that start in [start, end) (end < 0: to the
// end), moved start ticks earlier, as a song of one time signature.
func (s *Song) slice(start, end int64) *Song {
	out := &Song{TicksPerQuarter: s.TicksPerQuarter, Format: s.Format}
	for _, n := range s.Notes {
		if n.Start < start || end >= 0 && n.Start >= end {
			continue
		}
		n.Start -= start
		n.End -= start
		out.Notes = append(out.Notes, n)
	}
	return out
}

// timeSignatureSkip is the skip of a song without a usable 4/4 stretch.
func timeSignatureSkip(ts *TimeSignature, why string) error {
	if ts == nil {
		return &SkipError{Kind: SkipNoWindow, Reason: why}
	}
	den := fmt.Sprint(ts.Denominator)
	if ts.Denominator == 0 {
		den = "?"
	}
	return &SkipError{Kind: SkipTimeSignature, Reason: fmt.Sprintf("time signature %d/%s at tick %d; %s", ts.Numerator, den, ts.Tick, why)}
}

// check44 refuses a song with any time signature other than 4/4, for what
// reads a song whole rather than stretch by stretch (SongChunks).
func (s *Song) check44() error {
	if _, other := s.stretches44(); other != nil {
		return timeSignatureSkip(other, "only 4/4 is supported")
	}
	return nil
}
