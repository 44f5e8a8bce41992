package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/bench"
)

// TestBenchFlags: nonsense gets one line naming what is wrong.
func TestBenchFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--batch", "0"}, `invalid value "0" in --batch: want a whole number from 1 to 65536`},
		{[]string{"bench", "--batch", "1,x"}, `invalid value "x" in --batch`},
		{[]string{"bench", "--batch", ""}, `invalid value "" in --batch`},
		{[]string{"bench", "--runtime", "gpu"}, `unknown runtime "gpu" in --runtime`},
		{[]string{"bench", "--precision", "int4"}, `--precision: precision "int4": want f32, bf16, int8 or f16`},
		{[]string{"bench", "--precision", "f32,bf16", "--train"}, `--precision bf16: training runs in float32 only`},
		{[]string{"bench", "--seconds", "NaN"}, `invalid value "NaN" for flag --seconds: want a number from 0 to 3600`},
		{[]string{"bench", "--steps", "-1"}, `invalid value "-1" for flag --steps`},
		{[]string{"bench", "--threads", "-2"}, `invalid value "-2" for flag --threads`},
		{[]string{"bench", "--preset", "huge"}, `unknown preset "huge" (want seed or small)`},
		{[]string{"bench", "--preset", "small", "--model", "m.mvae"}, `give --model or --preset, not both`},
		{[]string{"bench", "--runtime", "ort", "--train"}, `onnxruntime does not train`},
	} {
		out, err := run(t, c.args...)
		if err == nil {
			t.Errorf("mvae %s: no error", strings.Join(c.args, " "))
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, c.want) || strings.Contains(msg, "\n") {
			t.Errorf("mvae %s:\n got %q\nwant %q", strings.Join(c.args, " "), msg, c.want)
		}
		if out != "" {
			t.Errorf("mvae %s printed on stdout:\n%s", strings.Join(c.args, " "), out)
		}
	}
}

// TestBenchJSON: one run of the small preset prints one record a batch.
func TestBenchJSON(t *testing.T) {
	out, err := run(t, "bench", "--runtime", "native", "--batch", "1,2", "--steps", "1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var recs []bench.Record
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(recs) != 2 || recs[0].Model != "small" || recs[1].Batch != 2 || recs[0].SequencesPerSecond <= 0 {
		t.Fatalf("%+v", recs)
	}
}
