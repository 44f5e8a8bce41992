package generate

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

func TestSplitMix64(t *testing.T) {
	// The first outputs of SplitMix64 seeded with 0 (Vigna's reference).
	r := NewSplitMix64(0)
	for i, want := range []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f} {
		if got := r.Next(); got != want {
			t.Errorf("output %d: %#x, want %#x", i, got, want)
		}
	}
	u := NewSplitMix64(5)
	for i := 0; i < 1000; i++ {
		if v := u.Uniform(); v < 0 || v >= 1 {
			t.Fatalf("uniform %v", v)
		}
	}
	n := make([]float64, 3) // odd: a spare is dropped
	NewSplitMix64(7).Normals(n)
	m := make([]float64, 4)
	NewSplitMix64(7).Normals(m)
	if n[0] != m[0] || n[1] != m[1] || n[2] != m[2] {
		t.Errorf("normals depend on the count: %v %v", n, m)
	}
}

func TestSamplerGroove(t *testing.T) {
	l := make([]float32, 27)
	l[0], l[1] = 5, -5 // kick surely, snare surely not
	l[9], l[18] = 0, 100
	s := &Sampler{Rep: music.Groove, Temperature: 0}
	tok := make([]float32, 27)
	r := NewSplitMix64(1)
	s.Token(l, r, tok)
	if tok[0] != 1 || tok[1] != 0 || tok[9] != 0.5 || tok[18] != 1 {
		t.Errorf("token %v", tok)
	}
	// Nine uniforms a step, at every temperature.
	a, b := NewSplitMix64(3), NewSplitMix64(3)
	s.Token(l, a, tok)
	for i := 0; i < 9; i++ {
		b.Uniform()
	}
	if a.Next() != b.Next() {
		t.Error("groove does not draw 9 uniforms a step")
	}
}

func TestSamplerCategorical(t *testing.T) {
	l := []float32{0, 3, 3, -1}
	tok := make([]float32, 4)
	(&Sampler{Rep: music.Drums, Temperature: 0}).Token(l, NewSplitMix64(1), tok)
	if tok[1] != 1 {
		t.Errorf("greedy picks the first argmax: %v", tok)
	}
	counts := make([]int, 4)
	s := &Sampler{Rep: music.Melody, Temperature: 1}
	r := NewSplitMix64(2)
	for i := 0; i < 20000; i++ {
		s.Token(l, r, tok)
		for k, v := range tok {
			if v == 1 {
				counts[k]++
			}
		}
	}
	// softmax(0, 3, 3, -1) = (0.024, 0.487, 0.487, 0.009)
	if math.Abs(float64(counts[1])/20000-0.487) > 0.02 || counts[3] > 400 {
		t.Errorf("counts %v", counts)
	}
}

func TestInterpolate(t *testing.T) {
	a, b := []float32{1, 0}, []float32{0, 1}
	z, err := Interpolate(a, b, 3, "slerp")
	if err != nil {
		t.Fatal(err)
	}
	h := float32(math.Sqrt(0.5))
	if z[0] != 1 || z[1] != 0 || math.Abs(float64(z[2]-h)) > 1e-6 || math.Abs(float64(z[3]-h)) > 1e-6 || z[4] != 0 || z[5] != 1 {
		t.Errorf("slerp %v", z)
	}
	z, _ = Interpolate(a, b, 3, "lerp")
	if z[2] != 0.5 || z[3] != 0.5 {
		t.Errorf("lerp %v", z)
	}
	if _, err := Interpolate(a, b, 1, "lerp"); err == nil {
		t.Error("1 step accepted")
	}
	if _, err := Interpolate(a, b, 3, "cubic"); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestMaxAbsDiff(t *testing.T) {
	nan := float32(math.NaN())
	for _, c := range []struct {
		a, b []float32
		want float64
	}{
		{[]float32{1, 2, 3}, []float32{1, 2.5, 2}, 1},
		{[]float32{1, 2}, []float32{1}, math.Inf(1)},
		{[]float32{nan, 2}, []float32{0, 0}, math.Inf(1)}, // a NaN first is not forgotten
		{nil, nil, 0},
	} {
		if got := MaxAbsDiff(c.a, c.b); got != c.want {
			t.Errorf("MaxAbsDiff(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	r := compare("g", "o", []float32{nan}, []float32{0})
	if r.OK {
		t.Error("compare: a NaN output passed parity")
	}
	if b, err := json.Marshal(r); err != nil || !strings.Contains(string(b), `"max_abs_diff":null`) {
		t.Errorf("a NaN row as JSON: %s, %v", b, err)
	}
}

// configOnly is a Backend of which only Config is called.
type configOnly struct {
	Backend
	c *model.Config
}

func (b configOnly) Config() *model.Config { return b.c }

// TestEncoderInput: tokens become the encoder's input of the config, and
// Encode takes the encoder's input (D_in), not tokens.
func TestEncoderInput(t *testing.T) {
	c := model.TinyFamilies()["drums_2bar"]
	T := c.T()
	x := make([]float32, 2*T*512)
	for i := 0; i < 2*T; i++ {
		x[i*512+5] = 1 // kick (bit 0) and closed hi-hat (bit 2)
	}
	xin, err := EncoderInput(c, x, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{1, 0, 1, 0, 0, 0, 0, 0, 0, 0}
	if len(xin) != 2*T*10 || !slices.Equal(xin[:10], want) {
		t.Fatalf("roll of class 5: %v (%d values)", xin[:10], len(xin))
	}
	if _, err := EncoderInput(c, x[1:], 2); err == nil {
		t.Error("EncoderInput takes x of the wrong length")
	}
	if _, _, err := Encode(configOnly{c: c}, x, 2); err == nil || !strings.Contains(err.Error(), "D_in") {
		t.Errorf("Encode takes tokens of a roll model: %v", err)
	}
	spec := model.TinyFamilies()["hierdec_mel"]
	y := make([]float32, spec.T()*spec.InputSize)
	if same, err := EncoderInput(spec, y, 1); err != nil || &same[0] != &y[0] {
		t.Errorf("the spec's encoder input is not x itself: %v", err)
	}
}
