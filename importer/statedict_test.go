package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/musicvae-go/mvae/internal/testenv"
	"github.com/musicvae-go/mvae/model"
)

// TestWriteStateDictRoundTrip: the state_dict mvae writes reads back in Go.
func TestWriteStateDictRoundTrip(t *testing.T) {
	r, buf := writtenStateDict(t)
	back, err := readStateDict(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range r.Weights {
		if !slices.Equal(back[name].Data, w.Data) || len(back[name].Shape) != len(w.Shape) {
			t.Fatalf("%s differs after the round trip", name)
		}
	}
}

// TestPyTorchLoadsWrittenStateDict: torch.load + load_state_dict take what
// mvae writes (where PyTorch is installed; never in CI).
func TestPyTorchLoadsWrittenStateDict(t *testing.T) {
	py := testenv.OptionalPython(t, "torch")
	_, buf := writtenStateDict(t)
	p := filepath.Join(t.TempDir(), "w.pt")
	os.WriteFile(p, buf.Bytes(), 0o644)
	out, err := exec.Command(py, "-c", `import sys, torch
sys.path.insert(0, "../graphs/torch")
import mvae_torch as m
sd = torch.load(sys.argv[1])
ref = torch.load("../testdata/models/groove/model.pt")
assert list(sd) == list(ref), "names or order differ"
assert all(torch.equal(sd[k], ref[k]) for k in ref), "values differ"
model = m.MusicVAE(m.load_config("../testdata/models/groove/config.json"))
model.load_state_dict(sd)
`, p).CombinedOutput()
	if err != nil {
		t.Fatalf("PyTorch could not load the state_dict: %v\n%s", err, out)
	}
}

// writtenStateDict imports the groove fixture and writes its state_dict.
func writtenStateDict(t *testing.T) (*Result, *bytes.Buffer) {
	t.Helper()
	r, err := File("../testdata/models/groove/model.pt", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := model.WriteStateDict(&buf, r.Config, r.Weights); err != nil {
		t.Fatal(err)
	}
	return r, &buf
}

// TestFileReadsStateDictThroughFile: a .pt imported from a file (read
// through it, never whole) gives the weights and the checksum that the same
// bytes give from memory.
func TestFileReadsStateDictThroughFile(t *testing.T) {
	dir := "../testdata/models/groove"
	p := filepath.Join(dir, "model.pt")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := File(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if r.Provenance.SourceSHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("checksum %s, want %x", r.Provenance.SourceSHA256, sum)
	}
	want, err := readStateDict(data)
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range want {
		if !slices.Equal(r.Weights[name].Data, w.Data) || !slices.Equal(r.Weights[name].Shape, w.Shape) {
			t.Fatalf("%s differs", name)
		}
	}
}
