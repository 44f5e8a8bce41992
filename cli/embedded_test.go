package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/music"
)

// TestEmbeddedModelsByName: --model groove and --model melody choose the
// embedded models (groove when omitted); info names them.
func TestEmbeddedModelsByName(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"info"}, "the embedded groove model"},
		{[]string{"info", "--model", "groove"}, "groove, 4 bars"},
		{[]string{"info", "--model", "melody"}, "melody, 2 bars (32 steps)"},
		{[]string{"info", "melody"}, "the embedded melody model"},
	} {
		out, err := run(t, c.args...)
		if err != nil || !strings.Contains(out, c.want) {
			t.Errorf("%v: %v; no %q in\n%s", c.args, err, c.want, out)
		}
	}
	// A name that is neither an embedded model nor a file is an error about
	// the file.
	if _, err := run(t, "info", "--model", "piano"); err == nil || !strings.Contains(err.Error(), "piano") {
		t.Errorf("--model piano: %v", err)
	}
}

// TestGenerateMelody: `mvae generate --model melody -n 4 -o DIR` writes four
// monophonic 2-bar lines, the same on onnxruntime as in pure Go.
func TestGenerateMelody(t *testing.T) {
	dir := t.TempDir()
	nat := filepath.Join(dir, "native")
	if _, err := run(t, "generate", "--model", "melody", "-n", "4", "--seed", "5", "-o", nat); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(nat, "*.mid"))
	if len(files) != 4 {
		t.Fatalf("%d MIDI files, want 4", len(files))
	}
	notes := 0
	for _, f := range files {
		s, err := music.ReadMIDIFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range s.Notes {
			if n.Channel == 9 {
				t.Errorf("%s: a drum note", f)
			}
			if i > 0 && n.Start < s.Notes[i-1].End {
				t.Errorf("%s: notes %d and %d overlap; a melody is one line", f, i-1, i)
			}
			if n.End > int64(2*4*s.TicksPerQuarter) {
				t.Errorf("%s: a note ends at tick %d, after 2 bars", f, n.End)
			}
		}
		notes += len(s.Notes)
	}
	if notes == 0 {
		t.Error("four silent samples")
	}
	t.Run("ort", func(t *testing.T) {
		needORT(t)
		ort := filepath.Join(dir, "ort")
		if _, err := run(t, "generate", "--model", "melody", "--runtime", "ort", "-n", "4", "--seed", "5", "-o", ort); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			a, _ := os.ReadFile(f)
			b, err := os.ReadFile(filepath.Join(ort, filepath.Base(f)))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("%s: onnxruntime's file differs (%v)", filepath.Base(f), err)
			}
		}
	})
}
