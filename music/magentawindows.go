package music

import (
	"fmt"
	"math"
	"sort"
)

// Windows of a Magenta model: the model's converter applied to the file's
// NoteSequence as magenta.js reads it (MagentaSequenceOf), one window of
// numSteps steps at every bar line, as toTensor applied to the notes whose
// onset step lies in the window, shifted to its start:
//
//   - a file shorter than numSteps gives one window at step 0, padded as
//     toTensor pads a short sequence;
//   - otherwise windows start at bars 0, 1, … up to the last full window
//     within the bars up to the bar of the last onset (magenta.js reads the
//     first numSteps steps only: it drops the rest of a melody or drums, and
//     throws on a longer groove, or a trio whose drums run longer);
//   - a window without an onset or hit is left out, as the spec's.
//
// Which notes each converter reads: a melody, each non-drum channel (or the
// one Options.Channel names) as its own line, as the spec reads melodies;
// drums and groove, the notes of channel 10 (magenta.js's converters read
// every note they are handed; mvae hands them the drum notes, as
// TrioConverter does); a trio, melody from non-drum programs 0–31, bass from
// 32–39, drums from channel 10, all as TrioConverter.toTensor.
func magentaSongWindows(s *Song, o Options) (*Windows, error) {
	q, err := MagentaSequenceOf(s)
	if err != nil {
		return nil, err
	}
	return MagentaWindows(q, o)
}

// MagentaWindows are the windows of a Magenta sequence through o.Magenta (see
// magentaSongWindows): [N, numSteps, D] tokens, D of the converter's
// representation (melody 90, drums 512, groove 27, trio 692).
func MagentaWindows(q *MagentaSequence, o Options) (*Windows, error) {
	w, _, err := magentaWindows(q, o, false)
	return w, err
}

// MagentaInputs are the windows of MagentaWindows, in the same order, each
// as the converter's toTensor returns it for the window's notes, bit for bit
// (magentainput.go): what magenta.js's MusicVAE.encode feeds its encoder.
// [N, numSteps, D_in]: melody 90, drums 10, groove 27, trio 692.
func MagentaInputs(q *MagentaSequence, o Options) (tokens, inputs *Windows, err error) {
	return magentaWindows(q, o, true)
}

func magentaWindows(q *MagentaSequence, o Options, inputs bool) (*Windows, *Windows, error) {
	c := o.Magenta
	T, D := c.NumSteps, c.Representation().Depth()
	w := &Windows{T: T, D: D}
	var in *Windows
	var ibuf []float32
	if inputs {
		in = &Windows{T: T, D: c.InputDepth()}
		ibuf = make([]float32, T*in.D)
	}
	var lines []magentaLine
	switch c.Type {
	case MelodyConverter:
		for _, ch := range magentaMelodyChannels(q, o.Channel) {
			l, err := newMelodyLine(q.filter(func(n *MagentaNote) bool { return n.Channel == ch }), c, fmt.Sprintf("channel %d", ch+1))
			if err != nil {
				return nil, nil, err
			}
			lines = append(lines, l)
		}
		if len(lines) == 0 {
			return nil, nil, noMagentaMelodyError(o.Channel)
		}
	case DrumsConverter, GrooveConverter:
		l := newDrumLine(q, c)
		if l.last < 0 {
			return nil, nil, &SkipError{Kind: SkipNoDrums, Reason: "no drum notes on channel 10 in the model's drum map"}
		}
		lines = append(lines, l)
	case TrioConverter:
		mel, err := newMelodyLine(q.filter(func(n *MagentaNote) bool { return !n.IsDrum && n.Program <= 31 }), c.Mel, "the melody (programs 1-32)")
		if err != nil {
			return nil, nil, err
		}
		bass, err := newMelodyLine(q.filter(func(n *MagentaNote) bool { return !n.IsDrum && n.Program >= 32 && n.Program <= 39 }), c.Bass, "the bass (programs 33-40)")
		if err != nil {
			return nil, nil, err
		}
		lines = append(lines, &trioLine{mel, bass, newDrumLine(q, c)})
	}
	// Bound what the windows may hold before any is made: a file of notes a
	// bar apart over thousands of bars must not take gigabytes.
	candidates := 0
	for _, l := range lines {
		if last := l.lastOnset(); last >= 0 {
			n := int(StepsPerBar * (last/StepsPerBar + 1))
			candidates += max(1, (n-T+StepsPerBar)/StepsPerBar)
		}
	}
	if int64(candidates)*int64(T)*int64(max(D, c.InputDepth())) > MaxWindowValues {
		return nil, nil, &SkipError{Kind: SkipTooLong, Reason: fmt.Sprintf("up to %d windows of [%d, %d]: more than the %d values mvae reads from one file", candidates, T, D, MaxWindowValues)}
	}
	buf := make([]float32, T*D)
	bars := 0
	for _, l := range lines {
		last := l.lastOnset()
		if last < 0 {
			continue
		}
		n := int(StepsPerBar * (last/StepsPerBar + 1))
		bars = max(bars, n/StepsPerBar)
		for from := 0; from == 0 || from+T <= n; from += StepsPerBar {
			clear(buf)
			if l.window(buf, from, T) {
				w.add(buf)
				if inputs {
					clear(ibuf)
					l.input(ibuf, from, T)
					in.add(ibuf)
				}
			}
		}
	}
	if w.N == 0 {
		return nil, nil, &SkipError{Kind: SkipNoWindow, Reason: fmt.Sprintf("no %d-step window with a hit or onset (the file spans %d bar(s))", T, bars)}
	}
	return w, in, nil
}

// MaxWindowValues bounds the values of a file's windows for a Magenta model
// (1 GiB of float32).
const MaxWindowValues = 1 << 28

// magentaLine is one sequence a file's windows are cut from.
type magentaLine interface {
	lastOnset() int // -1: none
	// window writes the tokens of steps [from, from+T) into dst (zeroed),
	// and reports whether it holds an onset or hit.
	window(dst []float32, from, T int) bool
	// input writes the converter's toTensor of the same steps into dst
	// (zeroed; magentainput.go).
	input(dst []float32, from, T int)
}

func (q *MagentaSequence) filter(keep func(*MagentaNote) bool) []MagentaNote {
	var out []MagentaNote
	for i := range q.Notes {
		if keep(&q.Notes[i]) {
			out = append(out, q.Notes[i])
		}
	}
	return out
}

func magentaMelodyChannels(q *MagentaSequence, only int) []int {
	var seen [16]bool
	for _, n := range q.Notes {
		if !n.IsDrum {
			seen[n.Channel] = true
		}
	}
	var out []int
	for c := range seen {
		if seen[c] && (only < 0 || c == only) {
			out = append(out, c)
		}
	}
	return out
}

func noMagentaMelodyError(only int) error {
	if only >= 0 {
		return &SkipError{Kind: SkipNoNotes, Reason: fmt.Sprintf("no notes on channel %d", only+1)}
	}
	return &SkipError{Kind: SkipNoNotes, Reason: "no notes outside the drum channel"}
}

// melodyLine is Melody.fromNoteSequence's reading of notes: sorted by onset
// step, then pitch descending (a stable sort); of the notes starting on one
// step only the first is kept (with ignorePolyphony false, a second one is
// an error); a kept note outside [minPitch, maxPitch] is an error naming it
// and the range (magenta.js throws); events[start] = its pitch event and
// events[end] = note off, a later note overwriting an earlier one's.
type melodyLine struct {
	notes []MagentaNote // the kept notes, in order
	min   int
}

func newMelodyLine(notes []MagentaNote, c *MagentaConverter, what string) (*melodyLine, error) {
	sort.SliceStable(notes, func(a, b int) bool {
		if notes[a].StartStep != notes[b].StartStep {
			return notes[a].StartStep < notes[b].StartStep
		}
		return notes[a].Pitch > notes[b].Pitch
	})
	l := &melodyLine{min: c.MinPitch}
	lastStart := -1
	for _, n := range notes {
		if n.StartStep == lastStart {
			if !c.IgnorePolyphony {
				return nil, &SkipError{Kind: SkipPolyphony, Reason: fmt.Sprintf("%s is not monophonic: two notes start at step %d (%.3f s), and the model's MelodyConverter has ignorePolyphony false", what, n.StartStep, n.Start)}
			}
			continue
		}
		if n.Pitch < c.MinPitch || n.Pitch > c.MaxPitch {
			return nil, &SkipError{Kind: SkipOutOfRange, Reason: fmt.Sprintf("%s has a note of pitch %d at step %d (%.3f s), outside the model's range %d..%d (magenta.js's MelodyConverter refuses it)", what, n.Pitch, n.StartStep, n.Start, c.MinPitch, c.MaxPitch)}
		}
		l.notes = append(l.notes, n)
		lastStart = n.StartStep
	}
	return l, nil
}

func (l *melodyLine) lastOnset() int {
	if len(l.notes) == 0 {
		return -1
	}
	return l.notes[len(l.notes)-1].StartStep
}

// events writes the melody events of steps [from, from+T) and reports
// whether there is an onset.
func (l *melodyLine) events(ev []int, from, T int) bool {
	clear(ev)
	i := sort.Search(len(l.notes), func(i int) bool { return l.notes[i].StartStep >= from })
	any := false
	for ; i < len(l.notes) && l.notes[i].StartStep < from+T; i++ {
		n := &l.notes[i]
		ev[n.StartStep-from] = 2 + n.Pitch - l.min
		if e := n.EndStep - from; e < T {
			ev[e] = MelodyNoteOff
		}
		any = true
	}
	return any
}

func (l *melodyLine) window(dst []float32, from, T int) bool {
	ev := make([]int, T)
	any := l.events(ev, from, T)
	D := len(dst) / T
	for t, k := range ev {
		dst[t*D+k] = 1
	}
	return any
}

// drumLine holds, per step, the loudest note of each class (the first in
// sequence order on a tie), as GrooveConverter.toTensor keeps it; a drums
// token is the set of classes hit.
type drumLine struct {
	c     *MagentaConverter
	step  float64 // seconds a step
	hits  map[int]*[NumDrumClasses]*MagentaNote
	last  int
	steps []int // the steps with a hit, ascending
	// For toTensor: the steps with a drum note of any pitch, the loudest
	// such note of each step (the first on a tie: tapify's), and each
	// step's sum of 2^class (NaN with an unmapped pitch: DrumsOneHotConverter's).
	any  map[int]bool
	tap  map[int]*MagentaNote
	sums map[int]float64
}

func newDrumLine(q *MagentaSequence, c *MagentaConverter) *drumLine {
	l := &drumLine{c: c, step: q.StepSeconds(), hits: map[int]*[NumDrumClasses]*MagentaNote{}, last: -1,
		any: map[int]bool{}, tap: map[int]*MagentaNote{}, sums: map[int]float64{}}
	for i := range q.Notes {
		n := &q.Notes[i]
		if !n.IsDrum {
			continue
		}
		l.any[n.StartStep] = true
		if t := l.tap[n.StartStep]; t == nil || t.Velocity < n.Velocity {
			l.tap[n.StartStep] = n
		}
		d := c.DrumMap.Class(uint8(n.Pitch))
		if d < 0 {
			l.sums[n.StartStep] = math.NaN()
			continue
		}
		l.sums[n.StartStep] += float64(int(1) << d)
		h := l.hits[n.StartStep]
		if h == nil {
			h = new([NumDrumClasses]*MagentaNote)
			l.hits[n.StartStep] = h
			l.steps = append(l.steps, n.StartStep)
		}
		if h[d] == nil || h[d].Velocity < n.Velocity {
			h[d] = n
		}
		l.last = max(l.last, n.StartStep)
	}
	sort.Ints(l.steps)
	return l
}

func (l *drumLine) lastOnset() int { return l.last }

// offset is GrooveConverter's 2·(q·L − t)/L: positive when the note is early.
func (l *drumLine) offset(n *MagentaNote) float64 {
	q := float64(n.StartStep) * l.step
	return 2 * (q - n.Start) / l.step
}

func (l *drumLine) window(dst []float32, from, T int) bool {
	const C = NumDrumClasses
	D := len(dst) / T
	any := false
	for t := 0; t < T; t++ {
		h := l.hits[from+t]
		k := 0
		if h != nil {
			for d, n := range h {
				if n == nil {
					continue
				}
				any = true
				k |= 1 << d
				if l.c.Type == GrooveConverter {
					row := dst[t*D : (t+1)*D]
					row[d] = 1
					row[C+d] = float32(float64(n.Velocity) / 127)
					row[2*C+d] = float32(l.offset(n))
				}
			}
		}
		if l.c.Type != GrooveConverter {
			dst[t*D+k] = 1
		}
	}
	return any
}

// trioLine is TrioConverter's [melody 90 | bass 90 | drums 512].
type trioLine struct {
	mel, bass *melodyLine
	drums     *drumLine
}

func (l *trioLine) lastOnset() int {
	return max(l.mel.lastOnset(), l.bass.lastOnset(), l.drums.lastOnset())
}

func (l *trioLine) window(dst []float32, from, T int) bool {
	M, B := Melody.Depth(), Drums.Depth()
	D := 2*M + B
	any := false
	ev := make([]int, T)
	for part, ml := range []*melodyLine{l.mel, l.bass} {
		if ml.events(ev, from, T) {
			any = true
		}
		for t, k := range ev {
			dst[t*D+part*M+k] = 1
		}
	}
	drums := make([]float32, T*B)
	if l.drums.window(drums, from, T) {
		any = true
	}
	for t := 0; t < T; t++ {
		copy(dst[t*D+2*M:(t+1)*D], drums[t*B:(t+1)*B])
	}
	return any
}
