//go:build cgo

package runtime

import (
	"errors"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// TestDecodeOnly: a backend opened with DecodeOnly samples what the native
// runtime samples (its threads sleeping when idle), and its Encode and Forward say the graphs are not loaded.
func TestDecodeOnly(t *testing.T) {
	initORT(t)
	c := model.TinyFamilies()["hierdec_mel"]
	w := randomWeights(c, 3, 0.5)
	be, err := Open(model.NewBundle(model.Manifest{Config: c}, w, nil), Options{Threads: 1, DecodeOnly: true, NoSpinning: true})
	if err != nil {
		t.Fatal(err)
	}
	defer be.Close()
	nat, err := native.New(c, w)
	if err != nil {
		t.Fatal(err)
	}
	o := generate.Options{Temperature: 0, Seed: 5}
	_, got, err := generate.Sample(be, 2, o)
	if err != nil {
		t.Fatal(err)
	}
	_, want, err := generate.Sample(nat, 2, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("token value %d: onnxruntime %v, native %v", i, got[i], want[i])
		}
	}
	B := 1
	x := make([]float32, B*c.T()*c.InputSize)
	if err := be.Encode(x, B, make([]float32, c.ZSize), make([]float32, c.ZSize)); !errors.Is(err, ErrNotLoaded) {
		t.Errorf("Encode: %v, want ErrNotLoaded", err)
	}
	if err := be.Forward(x, make([]float32, c.ZSize), B, make([]float32, len(x)), make([]float32, c.ZSize), make([]float32, c.ZSize)); !errors.Is(err, ErrNotLoaded) {
		t.Errorf("Forward: %v, want ErrNotLoaded", err)
	}
}
