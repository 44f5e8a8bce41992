package music

import (
	"fmt"
	"math"
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

// check44 skips a file with any time signature other than 4/4.
func (s *Song) check44() error {
	for _, ts := range s.TimeSignatures {
		if ts.Numerator != 4 || ts.Denominator != 4 {
			den := fmt.Sprint(ts.Denominator)
			if ts.Denominator == 0 {
				den = "?"
			}
			return &SkipError{Kind: SkipTimeSignature, Reason: fmt.Sprintf("time signature %d/%s at tick %d; only 4/4 is supported", ts.Numerator, den, ts.Tick)}
		}
	}
	return nil
}
