package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/model"
)

// TestQuantize: the embedded model quantized to each precision, with a
// report on random windows, reads back in that precision, runs natively,
// and refuses to be rounded again or fine-tuned.
func TestQuantize(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"bf16", "int8", "f16", "f32"} {
		out := filepath.Join(dir, p+".mvae")
		js, err := run(t, "quantize", "--precision", p, "-o", out, "--report", "--windows", "8", "--json")
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var res struct {
			Precision string
			Report    struct {
				Agreement float64 `json:"token_agreement"`
			}
		}
		if err := json.Unmarshal([]byte(js), &res); err != nil {
			t.Fatalf("%s: %v:\n%s", p, err, js)
		}
		if res.Precision != p || res.Report.Agreement < 0.9 {
			t.Errorf("%s: %s", p, js)
		}
		b, err := model.ReadBundleFile(out)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := model.ParsePrecision(p)
		if b.Precision() != want {
			t.Errorf("%s: read back as %s", p, b.Precision())
		}
		b.Close()
		info, err := run(t, "info", out)
		if err != nil || !strings.Contains(info, "weights stored as "+string(want)) {
			t.Errorf("%s: info: %v\n%s", p, err, info)
		}
		if _, err := run(t, "generate", "-m", out, "-n", "1", "-o", filepath.Join(dir, p+"-gen")); err != nil {
			t.Errorf("%s: generate: %v", p, err)
		}
	}
	// Native's low-precision kernels against onnxruntime on the widened
	// weights: within parity's tolerance.
	t.Run("parity", func(t *testing.T) {
		needORT(t)
		for _, p := range []string{"bf16", "int8", "f16"} {
			if out, err := run(t, "parity", "-m", filepath.Join(dir, p+".mvae"), "--batch", "2"); err != nil {
				t.Errorf("%s: parity: %v\n%s", p, err, out)
			}
		}
	})
	if _, err := run(t, "quantize", filepath.Join(dir, "int8.mvae"), "--precision", "bf16", "-o", filepath.Join(dir, "x.mvae")); err == nil || !strings.Contains(err.Error(), "int8 already") {
		t.Errorf("rounding int8 to bf16: %v", err)
	}
	if _, err := run(t, "finetune", "-m", filepath.Join(dir, "bf16.mvae"), "-o", filepath.Join(dir, "ft.mvae"), "--steps", "1", "../testdata/corpus/none"); err == nil || !strings.Contains(err.Error(), "inference only") {
		t.Errorf("fine-tuning bf16: %v", err)
	}
	if _, err := run(t, "quantize", "-o", filepath.Join(dir, "y.mvae")); err == nil || !strings.Contains(err.Error(), "needs --precision") {
		t.Errorf("no --precision: %v", err)
	}
}
