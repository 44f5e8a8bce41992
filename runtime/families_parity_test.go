//go:build cgo

package runtime

import (
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// TestFamiliesParity: mvae parity (generate.Parity) between the native
// runtime and onnxruntime passes on every family of model.TinyFamilies with
// random weights: every output within 1e-4, identical tokens.
func TestFamiliesParity(t *testing.T) {
	initORT(t)
	for i, name := range familyNames() {
		c := model.TinyFamilies()[name]
		t.Run(name, func(t *testing.T) {
			w := randomWeights(c, uint64(300+i), 0.5)
			ort := openFamily(t, c, w)
			nat, err := native.New(c, w)
			if err != nil {
				t.Fatal(err)
			}
			defer nat.Close()
			rep, err := generate.Parity(nat, ort, 3, 42)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Rows {
				t.Logf("%s %s: %g", r.Graph, r.Output, r.MaxAbs)
			}
			if !rep.OK {
				t.Errorf("parity fails: %+v", rep)
			}
		})
	}
}
