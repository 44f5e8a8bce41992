package plot

import (
	"bytes"
	"fmt"

	"github.com/musicvae-go/mvae/music"
)

// Roll is one panel: the notes of one sequence on a 16th-note time line.
type Roll struct {
	Title string
	Drums bool // a drum grid (Row: the class) or a piano roll (Row: the MIDI pitch)
	Steps int  // the panel's length in 16th notes
	Cells []Cell
}

// Cell is one note of a Roll.
type Cell struct {
	Row      int
	Start    float64 // in steps from the panel's start: a groove offset shifts it
	Len      float64 // in steps
	Velocity float64 // 0 to 1: the shade
}

// SongRolls returns the panels of a song: its drums (channel 10, classes of
// the map m; nil: GM) as a drum grid, and its other notes as a piano roll,
// each only when it has notes, over its first maxBars bars (maxBars ≤ 0: the
// whole song, up to music.MaxSteps).
func SongRolls(s *music.Song, title string, m *music.DrumMap, maxBars int) []Roll {
	if m == nil {
		m = music.GM
	}
	stepTicks := float64(s.TicksPerQuarter) / music.StepsPerQuarter
	limit := float64(music.MaxSteps)
	if maxBars > 0 {
		limit = float64(maxBars * music.StepsPerBar)
	}
	drums := Roll{Title: title + " (drums)", Drums: true}
	notes := Roll{Title: title}
	last := 0.0
	for _, n := range s.Notes {
		start := float64(n.Start) / stepTicks
		if start >= limit {
			continue
		}
		c := Cell{Start: start, Velocity: float64(n.Velocity) / 127}
		if n.Channel == music.DrumChannel {
			k := m.Class(n.Pitch)
			if k < 0 {
				continue
			}
			c.Row, c.Len = k, 1
			drums.Cells = append(drums.Cells, c)
		} else {
			c.Row = int(n.Pitch)
			c.Len = max(float64(n.End-n.Start)/stepTicks, 0.25)
			notes.Cells = append(notes.Cells, c)
		}
		last = max(last, start+c.Len)
	}
	bars := int(last)/music.StepsPerBar + 1
	if float64((bars-1)*music.StepsPerBar) == last && bars > 1 {
		bars--
	}
	steps := min(bars*music.StepsPerBar, int(limit))
	var out []Roll
	if len(drums.Cells) > 0 {
		if len(notes.Cells) == 0 {
			drums.Title = title
		}
		drums.Steps = steps
		out = append(out, drums)
	}
	if len(notes.Cells) > 0 {
		notes.Steps = steps
		out = append(out, notes)
	}
	return out
}

// WindowRolls returns the panels of one window [T, D] as o writes it to MIDI
// (music.WindowToMIDI: the same notes a listener hears), T steps long.
func WindowRolls(x []float32, o music.WriteOptions, title string) ([]Roll, error) {
	var buf bytes.Buffer
	o.Loop = 1
	if err := music.WindowToMIDI(&buf, x, o); err != nil {
		return nil, err
	}
	s, err := music.ParseMIDI(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("plot: reading back a written window: %v", err)
	}
	T := len(x) / o.Representation.Depth()
	rolls := SongRolls(s, title, o.DrumMap, 0)
	if len(rolls) == 0 {
		drums := o.Representation == music.Groove || o.Representation == music.Drums
		rolls = []Roll{{Title: title + " (silent)", Drums: drums}}
	}
	for i := range rolls {
		rolls[i].Steps = T
	}
	return rolls, nil
}
