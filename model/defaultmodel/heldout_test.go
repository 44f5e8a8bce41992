package defaultmodel_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/model/defaultmodel"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/native"
)

// The held-out libraries: the default model never trained on them.
var heldOut = []string{"../../testdata/corpus/mma/yamaha", "../../testdata/corpus/mma/zoom"}

// TestHeldOutQuality re-measures the embedded model's greedy reconstruction
// on the held-out libraries of the rendered MMA corpus, and checks it against
// heldout.json (the numbers the READMEs quote) and the project's target.
func TestHeldOutQuality(t *testing.T) {
	for _, p := range heldOut {
		if _, err := os.Stat(p); err != nil {
			testenv.Missing(t, "the rendered MMA corpus ("+p+"; make corpus)")
		}
	}
	raw, err := os.ReadFile("heldout.json")
	if err != nil {
		t.Fatal(err)
	}
	var want generate.Quality
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatalf("heldout.json: %v", err)
	}
	b, err := defaultmodel.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.Config()
	ds, _, err := music.BuildDataset(heldOut, music.BuildOptions{Options: cfg.MusicOptions()})
	if err != nil {
		t.Fatal(err)
	}
	var x []float32
	for _, w := range ds.Splits {
		x = append(x, w.Data...)
	}
	n := len(x) / (cfg.T() * cfg.InputSize)
	w, err := b.Weights()
	if err != nil {
		t.Fatal(err)
	}
	be, err := native.New(cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	q, err := generate.Evaluate(be, x, n, nil, 0, 0, 64)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("held-out: %d windows, hit F1 %.4f (P %.4f, R %.4f), step accuracy %.4f, KL %.1f",
		q.Windows, q.HitF1, q.HitPrecision, q.HitRecall, q.StepAccuracy, q.KLMean)
	if q.Windows != want.Windows {
		t.Errorf("%d held-out windows; heldout.json has %d", q.Windows, want.Windows)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"hit F1", q.HitF1, want.HitF1}, {"step accuracy", q.StepAccuracy, want.StepAccuracy}, {"KL", q.KLMean / 100, want.KLMean / 100}} {
		if math.Abs(c.got-c.want) > 1e-4 {
			t.Errorf("%s: measured %v, heldout.json says %v", c.name, c.got, c.want)
		}
	}
	if q.HitF1 < 0.80 {
		t.Errorf("held-out hit F1 %.4f is below the target 0.80", q.HitF1)
	}
}
