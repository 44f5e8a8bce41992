package native

import (
	"fmt"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
)

// fixture loads a test model of testdata/models.
func fixture(t testing.TB, name string) *Model {
	t.Helper()
	r, err := importer.File("../testdata/models/"+name+"/model.pt", importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(r.Config, r.Weights)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBadBatchesAreErrors: an empty batch (an x.npy of zero rows) and inputs
// of the wrong length are errors at every entry point, never panics.
func TestBadBatchesAreErrors(t *testing.T) {
	m := fixture(t, "groove")
	c := m.Config()
	T, D, Z, U, Hc := c.T(), c.InputSize, c.ZSize, c.Segments, c.Conductor.Hidden
	for _, B := range []int{0, 2} {
		short := 0 // inputs one value short for B 2, empty for B 0
		if B > 0 {
			short = 1
		}
		x, eps := make([]float32, B*T*D-short), make([]float32, B*Z)
		good := make([]float32, B*T*D)
		cases := map[string]func() error{
			"Forward x": func() error {
				return m.Forward(x, eps, B, make([]float32, B*T*D), make([]float32, B*Z), make([]float32, B*Z))
			},
			"Forward eps": func() error {
				return m.Forward(good, eps[:len(eps)-short], B, make([]float32, B*T*D), make([]float32, B*Z), make([]float32, B*Z))
			},
			"Encode":          func() error { return m.Encode(x, B, make([]float32, B*Z), make([]float32, B*Z)) },
			"Conduct":         func() error { return m.Conduct(eps[:len(eps)-short], B, make([]float32, B*U*Hc)) },
			"LossAndGrad":     func() error { _, err := m.LossAndGrad(x, eps, B, 1, 0, NewGrads(c)); return err },
			"LossAndGrad eps": func() error { _, err := m.LossAndGrad(good, eps[:len(eps)-short], B, 1, 0, NewGrads(c)); return err },
			"Trainer": func() error {
				_, err := (&Trainer{M: m, Workers: 2}).LossAndGrad(x, eps, B, 1, 0, NewGrads(c))
				return err
			},
		}
		if B == 0 {
			cases["NewState"] = func() error { _, err := m.NewState(B); return err }
			cases["generate.Forward"] = func() error { _, _, _, err := generate.Forward(m, good, eps, B); return err }
			cases["generate.Sample"] = func() error { _, _, err := generate.Sample(m, B, generate.Options{}); return err }
		} else {
			st, err := m.NewState(B)
			if err != nil {
				t.Fatal(err)
			}
			cases["DecoderInit"] = func() error { return m.DecoderInit(st, 0, make([]float32, B*Hc-1)) }
			cases["DecoderStep prev"] = func() error {
				return m.DecoderStep(st, 0, make([]float32, B*D-1), make([]float32, B*Hc), make([]float32, B*D))
			}
			cases["DecoderStep c_u"] = func() error {
				return m.DecoderStep(st, 0, make([]float32, B*D), make([]float32, B*Hc+1), make([]float32, B*D))
			}
		}
		for name, f := range cases {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("B %d: %s panics: %v", B, name, p)
					}
				}()
				err = f()
			}()
			if err == nil {
				t.Errorf("B %d: %s takes a bad batch", B, name)
			} else if !strings.Contains(err.Error(), "want") {
				t.Errorf("B %d: %s: unclear error %q", B, name, err)
			}
		}
	}
}

// TestForeignGradsPanic: gradients not made by NewGrads are a programmer
// error, with a message that says so.
func TestForeignGradsPanic(t *testing.T) {
	m := fixture(t, "groove")
	c := m.Config()
	B := 1
	x, eps := make([]float32, B*c.T()*c.InputSize), make([]float32, B*c.ZSize)
	g := NewGrads(c)
	delete(g, "decoder.out.bias")
	for name, f := range map[string]func(){
		"LossAndGrad": func() { m.LossAndGrad(x, eps, B, 1, 0, g) },
		"Trainer":     func() { (&Trainer{M: m, Workers: 2}).LossAndGrad(x, eps, B, 1, 0, g) },
	} {
		func() {
			defer func() {
				if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "NewGrads") {
					t.Errorf("%s: panic %v", name, p)
				}
			}()
			f()
		}()
	}
}
