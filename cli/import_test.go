package cli

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// TestImportStoresGraphsOnlyWhenAsked: a bundle stores its weights once; the
// ONNX graphs go in with --graphs alone, --no-graphs is an accepted no-op,
// and a bundle of either kind runs under onnxruntime.
func TestImportStoresGraphsOnlyWhenAsked(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("../testdata/models/groove", "model.pt")
	for _, tc := range []struct {
		flags  []string
		graphs bool
	}{
		{nil, false},
		{[]string{"--no-graphs"}, false},
		{[]string{"--graphs"}, true},
	} {
		out := filepath.Join(dir, strings.Join(append([]string{"b"}, tc.flags...), "")+".mvae")
		args := append([]string{"import", src, "-o", out, "--no-verify"}, tc.flags...)
		if _, err := run(t, args...); err != nil {
			t.Fatalf("%v: %v", tc.flags, err)
		}
		b, err := model.ReadBundleFile(out)
		if err != nil {
			t.Fatal(err)
		}
		names := b.GraphNames()
		b.Close()
		want := []string{}
		if tc.graphs {
			want = graphs.NamesOf(b.Config())
			slices.Sort(want)
		}
		if !slices.Equal(names, want) && len(names)+len(want) > 0 {
			t.Fatalf("%v: the bundle stores graphs %v", tc.flags, names)
		}
	}
	if _, err := run(t, "import", src, "-o", filepath.Join(dir, "x.mvae"), "--graphs", "--no-graphs"); err == nil {
		t.Fatal("--graphs with --no-graphs: no error")
	}
	needORT(t)
	for _, name := range []string{"b.mvae", "b--graphs.mvae"} {
		if _, err := run(t, "generate", "--model", filepath.Join(dir, name), "--runtime", "ort", "-n", "1", "-o", filepath.Join(dir, "midi-"+name), "--seed", "1"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
