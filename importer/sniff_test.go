package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/npy"
)

func TestSniff(t *testing.T) {
	tiny, err := os.ReadFile("testdata/fuzzseeds/tiny.onnx")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		data string
		kind fileKind
		what string
	}{
		{"PK\x03\x04rest", kindZip, "a zip archive"},
		{"\x80\x02\x8a\x0alegacy", kindLegacyPyTorch, "a pickle file"},
		{"\x89PNG\r\n\x1a\n\x00\x00", kindOther, "a PNG image"},
		{"MThd\x00\x00\x00\x06", kindOther, "a MIDI file"},
		{"{\"format\": \"mvae/1\"}\n", kindOther, "a text file (JSON?)"},
		{"", kindOther, "an empty file"},
		{string(tiny), kindUnknown, ""},
	} {
		kind, what := sniff([]byte(c.data))
		if kind != c.kind || what != c.what {
			t.Errorf("sniff(%.12q) = %v %q, want %v %q", c.data, kind, what, c.kind, c.what)
		}
	}
}

func npzBytes(t *testing.T) string {
	var b bytes.Buffer
	if err := npy.WriteNPZ(&b, []string{"x"}, map[string]*npy.Array{"x": npy.New(2)}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestNotAModel: a file that is no model says what it is, naming the file.
func TestNotAModel(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ data, want string }{
		"image.pt":   {"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image, not a model"},
		"legacy.pt":  {"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.", "before version 1.6"},
		"garbage.pt": {"\x00\x01\x02\x03\xfe\xff", "neither a PyTorch state_dict"},
		"arrays.pt":  {npzBytes(t), "a NumPy .npz archive, not a PyTorch state_dict"},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(c.data), 0o644)
		_, err := File(p, Options{})
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
