package model_test

import (
	"archive/zip"
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/internal/hostile"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// countingReader records the byte ranges read from a bundle.
type countingReader struct {
	data []byte
	mu   sync.Mutex
	read [][2]int64
}

func (r *countingReader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	r.read = append(r.read, [2]int64{off, off + int64(len(p))})
	r.mu.Unlock()
	return bytes.NewReader(r.data).ReadAt(p, off)
}

// touched reports whether any read overlapped [lo, hi).
func (r *countingReader) touched(lo, hi int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rg := range r.read {
		if rg[0] < hi && lo < rg[1] {
			return true
		}
	}
	return false
}

func tinyBundle(t *testing.T) (*model.Config, []byte) {
	t.Helper()
	c := &model.Config{Format: model.ConfigFormat, Representation: "groove", DrumMap: "gm", StepsPerQuarter: 4,
		Bars: 1, Segments: 2, InputSize: 27, ZSize: 4,
		Encoder: model.LSTMSize{Hidden: 3, Layers: 1}, Conductor: model.LSTMSize{Hidden: 3, Layers: 1},
		Decoder: model.LSTMSize{Hidden: 3, Layers: 1}, FreeBits: 48, MaxBeta: 0.2}
	w := model.Weights{}
	for i, p := range c.Params() {
		t := model.NewTensorOf(p.Shape)
		for k := range t.Data {
			t.Data[k] = float32((k*7+i)%13-6) / 20
		}
		w[p.Name] = t
	}
	gs, err := graphs.BuildAll(c, w)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := model.WriteBundle(&buf, model.NewBundle(model.Manifest{Config: c}, w, gs), false); err != nil {
		t.Fatal(err)
	}
	return c, buf.Bytes()
}

// memberRange is where a member lies in the archive, its local header
// included.
func memberRange(t *testing.T, data []byte, name string) (int64, int64) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			off, err := f.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			return off - 30 - int64(len(f.Name)), off + int64(f.CompressedSize64)
		}
	}
	t.Fatalf("no member %s", name)
	return 0, 0
}

// TestNativeNeverReadsGraphs: opening a bundle reads its manifest alone;
// running it natively reads its weights, once, and never a byte of its
// graph members.
func TestNativeNeverReadsGraphs(t *testing.T) {
	c, data := tinyBundle(t)
	r := &countingReader{data: data}
	b, err := model.OpenBundle(r, int64(len(data)), "tiny.mvae")
	if err != nil {
		t.Fatal(err)
	}
	wlo, whi := memberRange(t, data, "weights.safetensors")
	if r.touched(wlo, whi) {
		t.Error("opening the bundle read its weights")
	}
	if len(b.GraphNames()) != 5 {
		t.Fatalf("graphs %v", b.GraphNames())
	}
	// From here on: what running the bundle reads (opening it read the zip
	// directory, at the end of the file, where the last graph lies too).
	r.mu.Lock()
	r.read = nil
	r.mu.Unlock()
	w, err := b.Weights()
	if err != nil {
		t.Fatal(err)
	}
	reads := len(r.read)
	if w2, err := b.Weights(); err != nil || len(w2) != len(w) || len(r.read) != reads {
		t.Errorf("a second Weights call read the bundle again (%v)", err)
	}
	be, err := native.New(c, w)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := generate.Sample(be, 2, generate.Options{Temperature: 0.5, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	for _, n := range b.GraphNames() {
		lo, hi := memberRange(t, data, b.Manifest.Graphs[n])
		if r.touched(lo, hi) {
			t.Errorf("graph member %s was read", b.Manifest.Graphs[n])
		}
	}
}

// TestBundleMembersBounded: a member that declares more than it may hold is
// refused unread.
func TestBundleMembersBounded(t *testing.T) {
	_, data := tinyBundle(t)
	b, err := model.ReadBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ReadGraph("full", 100); err == nil || !strings.Contains(err.Error(), "more than the 100") {
		t.Errorf("a graph beyond the limit: %v", err)
	}
	for name, seed := range hostile.BundleSeeds() {
		b, err := model.ReadBundle(seed)
		if err == nil {
			_, err = b.Weights()
		}
		if err == nil {
			t.Errorf("crafted bundle %s: no error", name)
		}
	}
}

// FuzzReadBundle: arbitrary bytes never panic the bundle reader (manifest,
// weights and graphs), and never make it allocate beyond its limits.
func FuzzReadBundle(f *testing.F) {
	for _, b := range hostile.BundleSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := model.ReadBundle(data)
		if err != nil {
			return
		}
		b.Weights()
		for _, n := range b.GraphNames() {
			b.ReadGraph(n, 1<<20)
		}
	})
}

// TestReleaseWeights: a bundle read from a file reads its weights again
// after ReleaseWeights, the same values; one in memory keeps them.
func TestReleaseWeights(t *testing.T) {
	_, data := tinyBundle(t)
	r := &countingReader{data: data}
	b, err := model.OpenBundle(r, int64(len(data)), "tiny.mvae")
	if err != nil {
		t.Fatal(err)
	}
	w, err := b.Weights()
	if err != nil {
		t.Fatal(err)
	}
	b.ReleaseWeights()
	r.mu.Lock()
	r.read = nil
	r.mu.Unlock()
	w2, err := b.Weights()
	if err != nil {
		t.Fatal(err)
	}
	if len(r.read) == 0 {
		t.Error("Weights after ReleaseWeights did not read the bundle again")
	}
	if len(w2) != len(w) {
		t.Fatalf("%d weights, then %d", len(w), len(w2))
	}
	for n, x := range w {
		y := w2[n]
		if y == nil || !slices.Equal(x.Data, y.Data) || !slices.Equal(x.Shape, y.Shape) {
			t.Errorf("%s differs when read again", n)
		}
	}
	m := model.NewBundle(b.Manifest, w, nil)
	m.ReleaseWeights()
	if mw, err := m.Weights(); err != nil || len(mw) != len(w) {
		t.Errorf("a bundle in memory lost its weights: %v", err)
	}
}
