package music

import "fmt"

// Representation names one of the three tensor encodings of spec §1.
type Representation string

const (
	Groove Representation = "groove" // D = 27: hits(9), velocities(9), offsets(9)
	Drums  Representation = "drums"  // D = 512: one-hot of the set of hit classes
	Melody Representation = "melody" // D = 90: 0 no event, 1 note off, 2+pitch-21
	// Trio is Magenta's TrioConverter (docs/FAMILIES.md §3): melody 90,
	// bass 90 and drums 512 one-hots side by side, D = 692.
	Trio Representation = "trio"
)

// Melody pitch range: the 88 keys of a piano.
const (
	MinMelodyPitch = 21
	MaxMelodyPitch = 108
)

// ParseRepresentation checks a representation name.
func ParseRepresentation(s string) (Representation, error) {
	switch r := Representation(s); r {
	case Groove, Drums, Melody, Trio:
		return r, nil
	}
	return "", fmt.Errorf("unknown representation %q (want groove, drums, melody or trio)", s)
}

// Depth is D, the size of one step's vector.
func (r Representation) Depth() int {
	switch r {
	case Groove:
		return 3 * NumDrumClasses
	case Drums:
		return 1 << NumDrumClasses
	case Melody:
		return 2 + MaxMelodyPitch - MinMelodyPitch + 1
	case Trio:
		return 2*Melody.Depth() + Drums.Depth()
	}
	panic("music: unknown representation " + string(r))
}

// Categorical reports whether a step is a one-hot class (drums, melody).
func (r Representation) Categorical() bool { return r != Groove }

// RepresentationForDepth guesses the representation of a tensor from D.
func RepresentationForDepth(d int) (Representation, error) {
	for _, r := range []Representation{Groove, Drums, Melody, Trio} {
		if r.Depth() == d {
			return r, nil
		}
	}
	return "", fmt.Errorf("last dimension %d is none of groove (27), drums (512), melody (90) or trio (692)", d)
}

// Options choose how a MIDI file becomes windows.
type Options struct {
	Representation Representation
	Bars           int      // window length in bars; T = 16 * Bars
	DrumMap        *DrumMap // drums and groove; nil means GM
	Channel        int      // melody: the one channel to read (0-based), or -1 for all
	// Magenta, when set, reads MIDI as this magenta.js converter does
	// (magentawindows.go); its representation and numSteps must be the
	// options' own, and DrumMap is ignored (the converter has its own).
	Magenta *MagentaConverter
}

// Steps is T.
func (o Options) Steps() int { return StepsPerBar * o.Bars }

// Check validates the options.
func (o Options) Check() error {
	if _, err := ParseRepresentation(string(o.Representation)); err != nil {
		return err
	}
	if o.Bars < 1 || o.Bars > 64 {
		return fmt.Errorf("bars must be between 1 and 64, got %d", o.Bars)
	}
	if o.Channel < -1 || o.Channel > 15 {
		return fmt.Errorf("channel must be 0..15 (or -1 for all), got %d", o.Channel)
	}
	if o.Representation == Melody && o.Channel == 9 {
		return fmt.Errorf("channel 9 (MIDI channel 10) holds drums, not a melody")
	}
	if c := o.Magenta; c != nil {
		if c.Representation() != o.Representation || c.NumSteps != o.Steps() {
			return fmt.Errorf("the magenta.js %s of %d steps does not read %d-bar %s windows", c.Type, c.NumSteps, o.Bars, o.Representation)
		}
	}
	return nil
}

func (o Options) drumMap() *DrumMap {
	if o.DrumMap == nil {
		return GM
	}
	return o.DrumMap
}

// Windows is a stack of windows: N x T x D float32 in row-major order.
type Windows struct {
	N, T, D int
	Data    []float32
}

// Window returns window i, T*D values.
func (w *Windows) Window(i int) []float32 { return w.Data[i*w.T*w.D : (i+1)*w.T*w.D] }

func (w *Windows) add(x []float32) {
	w.Data = append(w.Data, x...)
	w.N++
}

// Append adds the windows of x (of the same T and D) after w's.
func (w *Windows) Append(x *Windows) {
	w.Data = append(w.Data, x.Data...)
	w.N += x.N
}
