package cli

import (
	"strings"
	"testing"
)

// TestInfoIsPlainWords: mvae info writes aligned "key: value" lines, no Go
// map and no folder of the machine that made the bundle.
func TestInfoIsPlainWords(t *testing.T) {
	out, err := run(t, "info")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 8 {
		t.Fatalf("info:\n%s", out)
	}
	col := -1
	for _, l := range lines {
		k := strings.Index(l, ": ")
		if k < 0 {
			t.Fatalf("not a key: value line: %q", l)
		}
		v := k + 2 + len(l[k+2:]) - len(strings.TrimLeft(l[k+2:], " "))
		if col >= 0 && v != col {
			t.Errorf("value of %q starts at column %d, others at %d", l, v, col)
		}
		col = v
	}
	for _, bad := range []string{"map[", "/work/", "/home/", "/tmp/"} {
		if strings.Contains(out, bad) {
			t.Errorf("info holds %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"verification:   against the imported ONNX graph on onnxruntime", "largest absolute difference", "source:         model.onnx (onnx"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	js, err := run(t, "info", "--json")
	if err != nil || strings.Contains(js, "/work/") {
		t.Fatalf("info --json: %v\n%s", err, js)
	}
}
