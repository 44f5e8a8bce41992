package music

// drumRoll is the quantised drum part of a song: one entry per step and class.
type drumRoll struct {
	steps int
	hit   [][NumDrumClasses]bool
	vel   [][NumDrumClasses]float32 // MIDI velocity / 127
	off   [][NumDrumClasses]float32 // timing offset in half steps, [-1, 1]
}

// drumRollOf builds the drum roll of a song (spec §1): note-ons on channel 9,
// mapped to classes, pitches outside the map dropped. Several notes of one
// class on one step: the highest velocity is kept, the first one (in time,
// then file order) on a tie, with its own offset.
func drumRollOf(s *Song, m *DrumMap) (*drumRoll, error) {
	g := newGrid(s.TicksPerQuarter)
	type hit struct {
		step  int64
		class int
		n     *Note
	}
	var hits []hit
	last := int64(-1)
	for i := range s.Notes {
		n := &s.Notes[i]
		if n.Channel != 9 {
			continue
		}
		c := m.Class(n.Pitch)
		if c < 0 {
			continue
		}
		st := g.step(n.Start)
		hits = append(hits, hit{st, c, n})
		last = max(last, st)
	}
	if len(hits) == 0 {
		return nil, &SkipError{Kind: SkipNoDrums, Reason: "no drum notes on channel 10 in the " + m.Name + " map"}
	}
	steps, err := rollSteps(last)
	if err != nil {
		return nil, err
	}
	r := &drumRoll{
		steps: steps,
		hit:   make([][NumDrumClasses]bool, steps),
		vel:   make([][NumDrumClasses]float32, steps),
		off:   make([][NumDrumClasses]float32, steps),
	}
	best := make([][NumDrumClasses]uint8, steps)
	for _, h := range hits {
		v := h.n.Velocity
		if r.hit[h.step][h.class] && v <= best[h.step][h.class] {
			continue
		}
		r.hit[h.step][h.class] = true
		best[h.step][h.class] = v
		r.vel[h.step][h.class] = float32(float64(v) / 127)
		r.off[h.step][h.class] = float32(g.offset(h.n.Start, h.step))
	}
	return r, nil
}

// encodeGroove writes steps [from, from+T) as groove vectors.
func (r *drumRoll) encodeGroove(dst []float32, from, T int) bool {
	const C = NumDrumClasses
	any := false
	for t := 0; t < T; t++ {
		row := dst[t*3*C : (t+1)*3*C]
		for c := 0; c < C; c++ {
			if r.hit[from+t][c] {
				any = true
				row[c] = 1
				row[C+c] = r.vel[from+t][c]
				row[2*C+c] = r.off[from+t][c]
			} else {
				row[c], row[C+c], row[2*C+c] = 0, 0, 0
			}
		}
	}
	return any
}

// encodeDrums writes steps [from, from+T) as one-hot drum classes.
func (r *drumRoll) encodeDrums(dst []float32, from, T int) bool {
	D := 1 << NumDrumClasses
	clear(dst[:T*D])
	any := false
	for t := 0; t < T; t++ {
		k := 0
		for c := 0; c < NumDrumClasses; c++ {
			if r.hit[from+t][c] {
				k |= 1 << c
			}
		}
		if k != 0 {
			any = true
		}
		dst[t*D+k] = 1
	}
	return any
}
