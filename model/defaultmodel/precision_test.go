package defaultmodel_test

import (
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/internal/heldout"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
	"github.com/musicvae-go/mvae/native"
)

// TestPrecisionAgreement quantizes the embedded model (stored as float16) to
// bfloat16, int8 and float16, and measures each against its float32 widening on held-out windows of the
// MMA corpus (generate.ComparePrecision): tokens at temperature 0 of the
// teacher-forced logits agree at least 99 % (bfloat16, float16) and 97 %
// (int8). The README quotes these numbers (go test -v -run
// TestPrecisionAgreement ./model/defaultmodel).
func TestPrecisionAgreement(t *testing.T) {
	b, err := defaultmodel.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.Config()
	x := heldout.Windows(t, cfg, "../../testdata/corpus/mma", heldOut)
	n := min(len(x)/(cfg.T()*cfg.InputSize), 256)
	x = x[:n*cfg.T()*cfg.InputSize]
	// The reference: the weights widened to float32 (the embedded bundle
	// stores float16), in float32 matrices.
	w, err := b.Weights()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := native.New(cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p    model.Precision
		want float64
	}{{model.BF16, 0.99}, {model.Int8, 0.97}, {model.F16, 0.99}} {
		qb, err := model.Quantize(b, c.p)
		if err != nil {
			t.Fatal(err)
		}
		qm, err := native.Open(qb)
		if err != nil {
			t.Fatal(err)
		}
		r, err := generate.ComparePrecision(ref, qm, x, n, 64)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %v", c.p, r)
		if r.Agreement < c.want {
			t.Errorf("%s: tokens agree %.2f%%, want at least %.0f%%", c.p, 100*r.Agreement, 100*c.want)
		}
	}
}
