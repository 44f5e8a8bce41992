package bench

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/runtime"
)

// tiny is a random bundle of a tiny family: trio_hier has three split
// decoders, a conductor and a hierarchical encoder.
func tiny(t *testing.T, family string) *model.Bundle {
	t.Helper()
	b, err := RandomBundle(model.TinyFamilies()[family], 1)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runtimes are native, and onnxruntime where this process can load it.
func runtimes(t *testing.T) []string {
	if _, err := runtime.Init(""); err != nil {
		if errors.Is(err, runtime.ErrUnavailable) {
			t.Logf("onnxruntime: %v; native alone", err)
			return []string{Native}
		}
		t.Fatal(err)
	}
	return []string{Native, ORT}
}

// TestGenerate: one run a cell on a tiny model gives a record of every
// runtime at every batch, with its numbers filled in.
func TestGenerate(t *testing.T) {
	memcpySize, memcpyTime = 1<<16, time.Millisecond
	for _, fam := range []string{"groove_4bar", "trio_hier"} {
		rts := runtimes(t)
		recs, err := Run(Options{Bundle: tiny(t, fam), Model: fam, Batches: []int{1, 3}, Runtimes: rts, Steps: 1, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2*len(rts) {
			t.Fatalf("%s: %d records, want %d", fam, len(recs), 2*len(rts))
		}
		for _, r := range recs {
			if r.Runs != 1 || r.SequencesPerSecond <= 0 || r.StepMS <= 0 || r.PeakRSSBytes <= 0 || r.Mode != "generate" || r.Precision != "f32" {
				t.Errorf("%s: %+v", fam, r)
			}
			bound := r.Runtime == Native && r.Batch == 1
			if bound != (r.BoundStepMS > 0) || bound != (r.WeightBytesPerStep > 0) {
				t.Errorf("%s: bandwidth bound on %s at batch %d: %v", fam, r.Runtime, r.Batch, r.BoundStepMS)
			}
			if (r.Runtime != Native) != (r.NativeRatio > 0) {
				t.Errorf("%s: native ratio on %s: %v", fam, r.Runtime, r.NativeRatio)
			}
		}
		var buf bytes.Buffer
		if err := WriteTable(&buf, recs); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(buf.String(), "\n"); n != len(recs)+1 {
			t.Errorf("the table has %d lines:\n%s", n, buf.String())
		}
	}
}

// TestTrain: one timed training step a cell.
func TestTrain(t *testing.T) {
	recs, err := Run(Options{Bundle: tiny(t, "mel_hier"), Model: "mel_hier", Batches: []int{2}, Runtimes: []string{Native}, Train: true, Steps: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].ExamplesPerSecond <= 0 || recs[0].StepMS <= 0 || recs[0].Mode != "train" {
		t.Fatalf("%+v", recs)
	}
}

// TestRefuses: what Run refuses, each with its reason.
func TestRefuses(t *testing.T) {
	b := tiny(t, "groove_4bar")
	for _, c := range []struct {
		o    Options
		want string
	}{
		{Options{Bundle: b, Batches: []int{1}, Runtimes: []string{Native}, Precisions: []model.Precision{"int4"}}, `precision "int4"`},
		{Options{Bundle: b, Batches: []int{1}, Runtimes: []string{Native}, Precisions: []model.Precision{model.BF16}, Train: true}, "float32 only"},
		{Options{Bundle: b, Batches: []int{0}, Runtimes: []string{Native}}, "batch 0"},
		{Options{Bundle: b, Batches: []int{1}, Runtimes: []string{"tpu"}}, `unknown runtime "tpu"`},
		{Options{Bundle: b, Batches: []int{1}, Runtimes: []string{ORT}, Train: true}, "does not train"},
	} {
		if _, err := Run(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}

// TestPresets: the presets' sizes.
func TestPresets(t *testing.T) {
	for name, want := range map[string][2]int{"small": {1_000_000, 2_000_000}, "seed": {170_000_000, 180_000_000}} {
		c, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		if n := c.NumParams(); n < want[0] || n > want[1] {
			t.Errorf("%s: %d parameters, want %d to %d", name, n, want[0], want[1])
		}
	}
	if _, err := Preset("huge"); err == nil {
		t.Error("preset huge: no error")
	}
}

// TestPrecisions: native runs each precision (its records carry it, with
// the ratio to float32 and the bytes a step reads), onnxruntime float32 once.
func TestPrecisions(t *testing.T) {
	memcpySize, memcpyTime = 1<<16, time.Millisecond
	rts := runtimes(t)
	precs := []model.Precision{model.F32, model.BF16, model.Int8, model.F16}
	recs, err := Run(Options{Bundle: tiny(t, "groove_4bar"), Model: "groove_4bar", Batches: []int{1}, Runtimes: rts, Precisions: precs, Steps: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(precs)+len(rts)-1 {
		t.Fatalf("%d records: %+v", len(recs), recs)
	}
	bytes := map[string]int64{}
	for _, r := range recs {
		if r.Runtime != Native {
			if r.Precision != "f32" {
				t.Errorf("onnxruntime at %s", r.Precision)
			}
			continue
		}
		bytes[r.Precision] = r.WeightBytesPerStep
		if (r.Precision != "f32") != (r.F32Ratio > 0) {
			t.Errorf("%s: f32 ratio %v", r.Precision, r.F32Ratio)
		}
	}
	if !(bytes["int8"] < bytes["bf16"] && bytes["bf16"] == bytes["f16"] && bytes["bf16"] < bytes["f32"]) {
		t.Errorf("bytes a step: %v", bytes)
	}
}
