package music

import (
	"fmt"
	"sort"
)

// Melody tokens (spec §1).
const (
	MelodyNoEvent = 0
	MelodyNoteOff = 1
)

// melodyTokenOf is 2 + pitch - 21.
func melodyTokenOf(pitch uint8) int { return 2 + int(pitch) - MinMelodyPitch }

// melodyRoll turns the notes of one channel into melody tokens (spec §1):
// notes outside 21..108 are dropped; a note's end step is
// floor(off/step_ticks + 0.5), at least one step after its onset step. Walking
// the steps: a step with onsets gets the highest onset's pitch and that note
// becomes the current one (the first such note in file order if a pitch is
// struck twice on one step); otherwise, if the current note ends on this step,
// the step gets 1 (note off) and there is no current note; otherwise 0. The
// roll reaches the bar of the last onset or end step.
func melodyRoll(s *Song, channel uint8) ([]int, error) {
	g := newGrid(s.TicksPerQuarter)
	type mnote struct {
		on, end int64
		pitch   uint8
	}
	var notes []mnote
	last := int64(-1)
	for i := range s.Notes {
		n := &s.Notes[i]
		if n.Channel != channel || n.Pitch < MinMelodyPitch || n.Pitch > MaxMelodyPitch {
			continue
		}
		on := g.step(n.Start)
		end := max(g.step(n.End), on+1)
		notes = append(notes, mnote{on, end, n.Pitch})
		last = max(last, end)
	}
	if len(notes) == 0 {
		return nil, nil
	}
	steps, err := rollSteps(last)
	if err != nil {
		return nil, err
	}
	// The highest onset of each step; the first in file order on a tie.
	sort.SliceStable(notes, func(a, b int) bool { return notes[a].on < notes[b].on })
	roll := make([]int, steps)
	cur := -1 // index into notes
	k := 0
	for st := 0; st < steps; st++ {
		top := -1
		for ; k < len(notes) && notes[k].on == int64(st); k++ {
			if top < 0 || notes[k].pitch > notes[top].pitch {
				top = k
			}
		}
		switch {
		case top >= 0:
			roll[st] = melodyTokenOf(notes[top].pitch)
			cur = top
		case cur >= 0 && notes[cur].end == int64(st):
			roll[st] = MelodyNoteOff
			cur = -1
		default:
			roll[st] = MelodyNoEvent
		}
	}
	return roll, nil
}

// melodyChannels lists the channels that hold notes, ascending, drums left out.
func melodyChannels(s *Song, only int) []uint8 {
	var seen [16]bool
	for _, n := range s.Notes {
		if n.Channel != 9 {
			seen[n.Channel] = true
		}
	}
	var out []uint8
	for c := range seen {
		if seen[c] && (only < 0 || c == only) {
			out = append(out, uint8(c))
		}
	}
	return out
}

func noMelodyError(only int) error {
	if only >= 0 {
		return &SkipError{Kind: SkipNoNotes, Reason: fmt.Sprintf("no notes in 21..108 on channel %d", only)}
	}
	return &SkipError{Kind: SkipNoNotes, Reason: "no notes in 21..108 outside the drum channel"}
}
