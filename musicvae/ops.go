package musicvae

import (
	"fmt"
	"slices"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/music"
)

// encodeBatch is how many windows one encoder call takes.
const encodeBatch = 256

// checkWindows checks that x holds n windows of the model's tokens.
func (m *Model) checkWindows(x []float32, n int) error {
	c := m.Config()
	if n < 1 {
		return fmt.Errorf("no sequence given")
	}
	if len(x) != n*c.T()*c.InputSize {
		return fmt.Errorf("%d values are not %d sequences of %d steps of %d", len(x), n, c.T(), c.InputSize)
	}
	return nil
}

// Sample draws n sequences from the prior: z ~ N(0, I), then the decoder
// (magenta.js's sample, Python's TrainedModel.sample).
func (m *Model) Sample(n int, o Options) (*Sequences, error) {
	z, tokens, err := generate.Sample(m.be, n, o)
	if err != nil {
		return nil, err
	}
	return m.sequences(z, tokens), nil
}

// Encode returns the mean mu and the deviation sigma [n,ZSize] of the
// posterior of n sequences of tokens x [n,T,D] (the model's encoder input,
// docs/FAMILIES.md §3, is derived from the tokens). Magenta's encode
// returns mu: the latent vector of a sequence. With WithRefine, mu is
// refined (sigma stays the encoder's).
func (m *Model) Encode(x []float32, n int) (mu, sigma []float32, err error) {
	mu, sigma, err = m.encode(x, n)
	if err == nil && m.refiner != nil {
		err = m.refiner.RefineLatents(x, mu, n)
	}
	if err != nil {
		return nil, nil, err
	}
	return mu, sigma, nil
}

// encode is Encode without refinement.
func (m *Model) encode(x []float32, n int) (mu, sigma []float32, err error) {
	if err := m.checkWindows(x, n); err != nil {
		return nil, nil, err
	}
	c := m.Config()
	TD, Z := c.T()*c.InputSize, c.ZSize
	mu, sigma = make([]float32, n*Z), make([]float32, n*Z)
	for i := 0; i < n; i += encodeBatch {
		b := min(encodeBatch, n-i)
		bm, bs, err := generate.EncodeTokens(m.be, x[i*TD:(i+b)*TD], b)
		if err != nil {
			return nil, nil, err
		}
		copy(mu[i*Z:], bm)
		copy(sigma[i*Z:], bs)
	}
	return mu, sigma, nil
}

// Decode decodes latent vectors z [n,ZSize] (n = len(z)/ZSize); z is left
// unchanged (the Sequences hold the vectors decoded, shifted by
// o.Attribute).
func (m *Model) Decode(z []float32, o Options) (*Sequences, error) {
	Z := m.Config().ZSize
	if len(z) == 0 || len(z)%Z != 0 {
		return nil, fmt.Errorf("%d values are not latent vectors of %d", len(z), Z)
	}
	n := len(z) / Z
	tokens, err := generate.Decode(m.be, z, n, o)
	if err != nil {
		return nil, err
	}
	zs := slices.Clone(z)
	if o.Attribute != nil {
		generate.Shift(zs, o.Attribute, o.Amount)
	}
	return m.sequences(zs, tokens), nil
}

// Mode is how two latent vectors are interpolated.
type Mode string

const (
	// Slerp follows the great circle (Python TrainedModel.interpolate).
	Slerp Mode = "slerp"
	// Lerp follows the straight line (magenta.js's interpolate).
	Lerp Mode = "lerp"
)

// Interpolate encodes 2 or 4 sequences (their mu) and decodes the latent
// vectors between them, as magenta.js's interpolate does:
//   - 2 sequences: steps vectors from the first to the second, both
//     included, along mode;
//   - 4 sequences: a steps×steps grid, bilinear (mode is not used), row y
//     and column x at index y*steps+x; the corners are the sequences in
//     magenta.js's order: top-left, bottom-left, top-right, bottom-right
//     (generate.Grid).
func (m *Model) Interpolate(seqs [][]float32, steps int, mode Mode, o Options) (*Sequences, error) {
	if len(seqs) != 2 && len(seqs) != 4 {
		return nil, fmt.Errorf("interpolation takes 2 or 4 sequences, got %d", len(seqs))
	}
	zs := make([][]float32, len(seqs))
	for i, x := range seqs {
		mu, _, err := m.Encode(x, 1)
		if err != nil {
			return nil, fmt.Errorf("sequence %d: %w", i, err)
		}
		zs[i] = mu
	}
	return m.InterpolateLatents(zs, steps, mode, o)
}

// InterpolateLatents is Interpolate between latent vectors.
func (m *Model) InterpolateLatents(zs [][]float32, steps int, mode Mode, o Options) (*Sequences, error) {
	Z := m.Config().ZSize
	for i, z := range zs {
		if len(z) != Z {
			return nil, fmt.Errorf("latent vector %d has %d values; the model's have %d", i, len(z), Z)
		}
	}
	var path []float32
	var err error
	switch len(zs) {
	case 2:
		path, err = generate.Interpolate(zs[0], zs[1], steps, string(mode))
	case 4:
		path, err = generate.Grid(zs[0], zs[1], zs[2], zs[3], steps, steps)
	default:
		return nil, fmt.Errorf("interpolation takes 2 or 4 latent vectors, got %d", len(zs))
	}
	if err != nil {
		return nil, err
	}
	return m.Decode(path, o)
}

// Similar makes n variations of sequence x at similarity s in [0, 1], as
// magenta.js's similar does: z_i = s·mu + (1-s)·ε_i (generate.Similar); at
// s = 1 every variation decodes x's own mu, at s = 0 they are prior
// samples.
func (m *Model) Similar(x []float32, n int, s float64, o Options) (*Sequences, error) {
	mu, _, err := m.Encode(x, 1)
	if err != nil {
		return nil, err
	}
	z, tokens, err := generate.Similar(m.be, mu, n, s, o)
	if err != nil {
		return nil, err
	}
	return m.sequences(z, tokens), nil
}

// AttributeVector is the mean latent vector (mu) of the sequences with
// [n,T,D] minus that of the sequences without [k,T,D]: the direction of
// what the first set has and the second lacks (Roberts et al. 2018 §5.3).
// Decode with it in Options.Attribute.
func (m *Model) AttributeVector(with []float32, n int, without []float32, k int) ([]float32, error) {
	a, _, err := m.Encode(with, n)
	if err != nil {
		return nil, fmt.Errorf("the sequences with the attribute: %w", err)
	}
	b, _, err := m.Encode(without, k)
	if err != nil {
		return nil, fmt.Errorf("the sequences without the attribute: %w", err)
	}
	return generate.AttributeVector(a, n, b, k, m.Config().ZSize)
}

// needGroove refuses a model whose sequences are not grooves.
func (m *Model) needGroove(what string) error {
	if r := m.Config().Rep(); r != music.Groove {
		return fmt.Errorf("%s needs a groove model (velocities and offsets); this one writes %s", what, r)
	}
	return nil
}

// Humanize gives n quantised drum sequences x [n,T,D] velocities and
// micro-timing (GrooVAE's humanize): each is encoded and its mu decoded. A
// model trained for it (encoder_input humanize, Magenta's
// groovae_2bar_humanize) sees the hits alone; any other groove model sees
// the quantised groove (x with its offsets set to 0).
func (m *Model) Humanize(x []float32, n int, o Options) (*Sequences, error) {
	if err := m.needGroove("humanize"); err != nil {
		return nil, err
	}
	if err := m.checkWindows(x, n); err != nil {
		return nil, err
	}
	q := slices.Clone(x)
	const C = music.NumDrumClasses
	for i := 0; i < len(q); i += 3 * C {
		clear(q[i+2*C : i+3*C])
	}
	return m.reencode(q, n, o)
}

// Tap turns n tapped rhythms x [n,T,D] (hits on any drum; their timing
// counts) into drum grooves (GrooVAE's tap2drum): each is tapified (one
// open hi-hat hit a step with the loudest hit's offset, velocity 0;
// music.Tapify), encoded, and its mu decoded. A model trained for it
// (encoder_input tapify, Magenta's groovae_2bar_tap_fixed_velocity) does
// the tapifying itself.
func (m *Model) Tap(x []float32, n int, o Options) (*Sequences, error) {
	if err := m.needGroove("tap"); err != nil {
		return nil, err
	}
	if err := m.checkWindows(x, n); err != nil {
		return nil, err
	}
	q := make([]float32, len(x))
	music.Tapify.Apply(q, x, music.Groove, n, m.Config().T())
	return m.reencode(q, n, o)
}

// reencode encodes x and decodes its mu (never refined).
func (m *Model) reencode(x []float32, n int, o Options) (*Sequences, error) {
	mu, _, err := m.encode(x, n)
	if err != nil {
		return nil, err
	}
	return m.Decode(mu, o)
}

// HumanizeFile humanizes the whole drum part of a MIDI file: its
// consecutive windows from bar 0 (music.FileChunks), each through Humanize;
// a window without a hit stays silent (its z is 0). The sequences one after
// the other (Sequences.Concat) are the whole part.
func (m *Model) HumanizeFile(path string, o Options) (*Sequences, error) {
	if err := m.needGroove("humanize"); err != nil {
		return nil, err
	}
	return m.wholeFile(path, false, m.Humanize, o)
}

// TapFile turns the taps of a MIDI file (every note, on any channel) into
// a drum groove as long as the file: its consecutive windows from bar 0
// (music.FileChunks with taps), each through Tap; a window without a tap
// stays silent (its z is 0).
func (m *Model) TapFile(path string, o Options) (*Sequences, error) {
	if err := m.needGroove("tap"); err != nil {
		return nil, err
	}
	return m.wholeFile(path, true, m.Tap, o)
}

// wholeFile runs op on the windows of the file that hold a hit, sequence i
// of them drawing from stream Seed+i, and puts the results in the file's
// order.
func (m *Model) wholeFile(path string, taps bool, op func([]float32, int, Options) (*Sequences, error), o Options) (*Sequences, error) {
	c := m.Config()
	w, err := music.FileChunks(path, c.MusicOptions(), taps)
	if err != nil {
		return nil, err
	}
	TD, Z := w.T*w.D, c.ZSize
	var x []float32
	var at []int
	for i := 0; i < w.N; i++ {
		win := w.Window(i)
		for t := 0; t < w.T; t++ {
			if slices.ContainsFunc(win[t*w.D:t*w.D+music.NumDrumClasses], func(v float32) bool { return v > 0.5 }) {
				x = append(x, win...)
				at = append(at, i)
				break
			}
		}
	}
	if len(at) == 0 {
		return nil, fmt.Errorf("%s: no hit in the file's drum part", path)
	}
	s, err := op(x, len(at), o)
	if err != nil {
		return nil, err
	}
	out := m.sequences(make([]float32, w.N*Z), make([]float32, w.N*TD))
	for j, i := range at {
		copy(out.Z[i*Z:(i+1)*Z], s.Latent(j))
		copy(out.Tokens[i*TD:(i+1)*TD], s.Sequence(j))
	}
	return out, nil
}
