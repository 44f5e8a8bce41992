package melodymodel_test

import (
	"math"
	"testing"

	"github.com/musicvae-go/mvae/internal/heldout"
	"github.com/musicvae-go/mvae/model/melodymodel"
	"github.com/musicvae-go/mvae/music"
)

// The held-out libraries: the melody model never trained on them.
var heldOut = []string{"yamaha", "zoom"}

// The libraries of mma_train.npz (scripts/train-melody.sh): the ranges of
// notes per step and mean pitch of their windows are what prior samples are
// measured against.
var trainLibs = []string{"alexis", "casio", "kara", "pflib", "stdlib"}

// TestHeldOutQuality re-measures the embedded melody model on the rendered
// MMA corpus as scripts/train-melody.sh did (`mvae evaluate --model melody
// --data mma_heldout.npz --train mma_train.npz --samples 256`): greedy
// reconstruction of the held-out libraries' lines (note-on F1 and per-step
// token accuracy), and the share of 256 prior samples whose notes per step
// and mean pitch lie in the training windows' 5-95 % ranges. It checks them
// against heldout.json (the numbers README.md quotes).
func TestHeldOutQuality(t *testing.T) {
	b, err := melodymodel.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	cfg := b.Config()
	if cfg.Rep() != music.Melody || cfg.Bars != 2 {
		t.Fatalf("the melody model reads %s, %d bars; want melody, 2 bars", cfg.Representation, cfg.Bars)
	}
	q, nt, want := heldout.Measure(t, b, "../../testdata/corpus/mma", heldOut, trainLibs)
	t.Logf("%d training windows; %v", nt, q)
	if q.Windows != want.Windows {
		t.Errorf("%d held-out windows; heldout.json has %d", q.Windows, want.Windows)
	}
	if q.PriorSamples != want.PriorSamples || len(q.DensityRange) != 2 || len(want.DensityRange) != 2 ||
		len(q.PitchRange) != 2 || len(want.PitchRange) != 2 {
		t.Fatalf("%d prior samples, ranges %v and %v; heldout.json has %d, %v and %v",
			q.PriorSamples, q.DensityRange, q.PitchRange, want.PriorSamples, want.DensityRange, want.PitchRange)
	}
	// mma_train.npz held 18,906 windows when heldout.json was measured.
	if nt < 18800 || nt > 19000 {
		t.Errorf("%d training windows; mma_train.npz had 18,906", nt)
	}
	for i, end := range []string{"5 %", "95 %"} {
		if d := math.Abs(q.DensityRange[i] - want.DensityRange[i]); d > 1.0/32 {
			t.Errorf("train notes per step %s: measured %v, heldout.json says %v", end, q.DensityRange[i], want.DensityRange[i])
		}
		if d := math.Abs(q.PitchRange[i] - want.PitchRange[i]); d > 0.5 {
			t.Errorf("train mean pitch %s: measured %v, heldout.json says %v", end, q.PitchRange[i], want.PitchRange[i])
		}
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"note-on F1", q.HitF1, want.HitF1},
		{"step accuracy", q.StepAccuracy, want.StepAccuracy},
		{"KL", q.KLMean / 100, want.KLMean / 100},
		{"prior samples in the notes-per-step range", q.PriorInRange, want.PriorInRange},
		{"prior notes per step", q.PriorDensity, want.PriorDensity},
		{"prior samples in the mean-pitch range", q.PriorPitchInRange, want.PriorPitchInRange},
		{"prior mean pitch", q.PriorPitch / 100, want.PriorPitch / 100},
	} {
		if math.Abs(c.got-c.want) > 1e-4 {
			t.Errorf("%s: measured %v, heldout.json says %v", c.name, c.got, c.want)
		}
	}
}
