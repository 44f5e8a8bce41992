package musicvae

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// tinyModels opens every tiny family with random weights (native runtime).
func tinyModels(t *testing.T) map[string]*Model {
	t.Helper()
	out := map[string]*Model{}
	for name, c := range model.TinyFamilies() {
		b, err := model.RandomBundle(c, 1)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m, err := Open(b, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { m.Close() })
		out[name] = m
	}
	return out
}

func near(a, b []float32, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i])-float64(b[i])) > tol {
			return false
		}
	}
	return true
}

// TestOperationsEveryFamily runs every operation on every family and checks
// what Magenta's definitions promise.
func TestOperationsEveryFamily(t *testing.T) {
	for name, m := range tinyModels(t) {
		t.Run(name, func(t *testing.T) {
			c := m.Config()
			T, D, Z := c.T(), c.InputSize, c.ZSize
			x := generate.RandomWindows(c, 4, rand.New(rand.NewPCG(1, 2)))
			keep := slices.Clone(x)
			o := Options{Temperature: 0.7, Seed: 11}

			s, err := m.Sample(3, o)
			if err != nil {
				t.Fatal(err)
			}
			if s.N != 3 || len(s.Tokens) != 3*T*D || len(s.Z) != 3*Z {
				t.Fatalf("sample: %d sequences, %d tokens, %d z", s.N, len(s.Tokens), len(s.Z))
			}
			mu, sigma, err := m.Encode(x, 4)
			if err != nil || len(mu) != 4*Z || len(sigma) != 4*Z {
				t.Fatalf("encode: %v", err)
			}
			// Similar at 0 is Sample; at 1 every z is mu.
			s0, err := m.Similar(x[:T*D], 3, 0, o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s0.Z, s.Z) || !slices.Equal(s0.Tokens, s.Tokens) {
				t.Error("similar at 0 is not the prior sample of the same seed")
			}
			s1, err := m.Similar(x[:T*D], 2, 1, o)
			if err != nil {
				t.Fatal(err)
			}
			if !near(s1.Latent(1), mu[:Z], 0) {
				t.Error("similar at 1: z is not mu")
			}
			sh, err := m.Similar(x[:T*D], 2, 0.5, o)
			if err != nil {
				t.Fatal(err)
			}
			for k := 0; k < Z; k++ {
				if want := 0.5*float64(mu[k]) + 0.5*float64(s0.Z[Z+k]); math.Abs(float64(sh.Z[Z+k])-want) > 1e-5 {
					t.Fatalf("similar at 0.5: z[%d] %v, want %v", k, sh.Z[Z+k], want)
				}
			}
			for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
				if _, err := m.Similar(x[:T*D], 1, bad, o); err == nil {
					t.Errorf("similarity %v: no error", bad)
				}
			}
			// Decoding mu gives back mu as z; the shift adds amount·v.
			d, err := m.Decode(mu, o)
			if err != nil || d.N != 4 || !slices.Equal(d.Z, mu) {
				t.Fatalf("decode: %v", err)
			}
			v, err := m.AttributeVector(x[:2*T*D], 2, x[2*T*D:], 2)
			if err != nil {
				t.Fatal(err)
			}
			for k := range v {
				want := (float64(mu[k])+float64(mu[Z+k]))/2 - (float64(mu[2*Z+k])+float64(mu[3*Z+k]))/2
				if math.Abs(float64(v[k])-want) > 1e-5 {
					t.Fatalf("attribute vector [%d] %v, want %v", k, v[k], want)
				}
			}
			so := o
			so.Attribute, so.Amount = v, -2
			ds, err := m.Decode(mu[:Z], so)
			if err != nil {
				t.Fatal(err)
			}
			for k := range v {
				if math.Abs(float64(ds.Z[k])-(float64(mu[k])-2*float64(v[k]))) > 1e-5 {
					t.Fatal("the shifted z is not z + amount·v")
				}
			}
			so.Attribute = v[:Z-1]
			if _, err := m.Decode(mu[:Z], so); err == nil {
				t.Error("an attribute vector of the wrong size: no error")
			}
			// Interpolation: the ends (corners) are the sequences' mu.
			p, err := m.Interpolate([][]float32{x[:T*D], x[T*D : 2*T*D]}, 4, Slerp, o)
			if err != nil || p.N != 4 {
				t.Fatalf("interpolate: %v", err)
			}
			if !near(p.Latent(0), mu[:Z], 1e-5) || !near(p.Latent(3), mu[Z:2*Z], 1e-5) {
				t.Error("the path does not start and end at the sequences' mu")
			}
			corners := [][]float32{x[:T*D], x[T*D : 2*T*D], x[2*T*D : 3*T*D], x[3*T*D:]}
			g, err := m.Interpolate(corners, 3, Lerp, o)
			if err != nil || g.N != 9 {
				t.Fatalf("grid: %v", err)
			}
			for i, at := range []int{0, 6, 2, 8} { // top-left, bottom-left, top-right, bottom-right
				if !near(g.Latent(at), mu[i*Z:(i+1)*Z], 1e-5) {
					t.Errorf("grid corner %d is not sequence %d's mu", at, i)
				}
			}
			if _, err := m.Interpolate(corners[:3], 3, Lerp, o); err == nil {
				t.Error("3 corners: no error")
			}
			// MIDI out and back in, one sequence and a whole path.
			var buf bytes.Buffer
			if err := m.WriteMIDI(&buf, g.Sequence(4), music.WriteOptions{BPM: 90}); err != nil {
				t.Fatal(err)
			}
			if w, err := m.ParseMIDI(buf.Bytes()); err != nil || w.T != T || w.D != D {
				t.Fatalf("reading back: %v", err)
			}
			buf.Reset()
			if err := m.WriteMIDI(&buf, p.Concat(), music.WriteOptions{}); err != nil {
				t.Fatalf("the whole path as one file: %v", err)
			}
			// Humanize and tap: groove models only.
			h, errH := m.Humanize(x, 4, o)
			tp, errT := m.Tap(x, 4, o)
			if c.Rep() != music.Groove {
				if errH == nil || errT == nil {
					t.Error("humanize or tap of a non-groove model: no error")
				}
			} else {
				if errH != nil || errT != nil || h.N != 4 || tp.N != 4 {
					t.Fatalf("humanize %v, tap %v", errH, errT)
				}
			}
			if !slices.Equal(x, keep) {
				t.Error("the input sequences were changed")
			}
		})
	}
}

// TestHumanizeInputs: what the encoder sees. A groove model sees the
// quantised groove (offsets 0); a tap model the tapified one.
func TestHumanizeInputs(t *testing.T) {
	ms := tinyModels(t)
	m := ms["groove_4bar"]
	c := m.Config()
	x := generate.RandomWindows(c, 1, rand.New(rand.NewPCG(3, 4)))
	q := slices.Clone(x)
	const C = music.NumDrumClasses
	for i := 0; i < len(q); i += 3 * C {
		clear(q[i+2*C : i+3*C])
	}
	h, err := m.Humanize(x, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mu, _, _ := m.Encode(q, 1)
	if !slices.Equal(h.Z, mu) {
		t.Error("humanize does not decode the quantised groove's mu")
	}
	tp, err := m.Tap(x, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tapped := make([]float32, len(x))
	music.Tapify.Apply(tapped, x, music.Groove, 1, c.T())
	mu, _, _ = m.Encode(tapped, 1)
	if !slices.Equal(tp.Z, mu) {
		t.Error("tap does not decode the tapified groove's mu")
	}
	// The Magenta tap model tapifies itself: tapifying again changes nothing.
	mt := ms["tap2drum_2bar"]
	x = generate.RandomWindows(mt.Config(), 1, rand.New(rand.NewPCG(5, 6)))
	tp, err = mt.Tap(x, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mu, _, _ = mt.Encode(x, 1)
	if !slices.Equal(tp.Z, mu) {
		t.Error("tap2drum: tapifying before the model's own tapify changed its mu")
	}
}

func TestLoad(t *testing.T) {
	if _, err := Load("/no/such/model.mvae"); err == nil || !strings.Contains(err.Error(), "/no/such/model.mvae") {
		t.Errorf("a missing model: %v", err)
	}
	m, err := Load("../testdata/models/melody/model.pt")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Config().Rep() != music.Melody {
		t.Errorf("the melody fixture is %s", m.Config().Rep())
	}
	saved := defaultBundle
	defer func() { defaultBundle = saved }()
	defaultBundle = nil
	if _, err := LoadDefault(); err != ErrNoDefaultModel {
		t.Errorf("no default model: %v", err)
	}
}

// TestWholeFile: humanize and tap a file of three windows whose middle one
// is silent, on every groove family (Magenta's read through their
// converter).
func TestWholeFile(t *testing.T) {
	for name, m := range tinyModels(t) {
		c := m.Config()
		if c.Rep() != music.Groove {
			continue
		}
		TD := c.T() * c.InputSize
		x := generate.RandomWindows(c, 2, rand.New(rand.NewPCG(9, 10)))
		seq := slices.Concat(x[:TD], make([]float32, TD), x[TD:])
		p := filepath.Join(t.TempDir(), "in.mid")
		var buf bytes.Buffer
		if err := m.WriteMIDI(&buf, seq, music.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(p, buf.Bytes(), 0o644)
		for what, op := range map[string]func(string, Options) (*Sequences, error){"humanize": m.HumanizeFile, "tap": m.TapFile} {
			s, err := op(p, Options{Temperature: 0.5, Seed: 3})
			if err != nil {
				t.Fatalf("%s %s: %v", name, what, err)
			}
			if s.N != 3 {
				t.Fatalf("%s %s: %d windows, want 3", name, what, s.N)
			}
			if slices.ContainsFunc(s.Sequence(1), func(v float32) bool { return v != 0 }) || slices.ContainsFunc(s.Latent(1), func(v float32) bool { return v != 0 }) {
				t.Errorf("%s %s: the silent window is not silent", name, what)
			}
			if !slices.ContainsFunc(s.Latent(2), func(v float32) bool { return v != 0 }) {
				t.Errorf("%s %s: the last window was not decoded", name, what)
			}
		}
	}
	if _, err := tinyModels(t)["mel_2bar"].HumanizeFile("x.mid", Options{}); err == nil || !strings.Contains(err.Error(), "groove") {
		t.Errorf("humanize with a melody model: %v", err)
	}
}
