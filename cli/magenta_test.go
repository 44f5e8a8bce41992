package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/craft"
	"github.com/musicvae-go/mvae/model"
)

// TestMagentaImportExport imports a magenta.js checkpoint, exports it back
// with export --magenta, and refuses exports over the checkpoint itself and
// of a model without a Magenta converter.
func TestMagentaImportExport(t *testing.T) {
	dir := t.TempDir()
	ck := filepath.Join(dir, "mel")
	if err := craft.MagentaMel(ck); err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(dir, "mel.mvae")
	if _, err := run(t, "import", ck, "-o", bundle); err != nil {
		t.Fatal(err)
	}
	b, err := model.ReadBundleFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if c := b.Config(); c.Magenta == nil || c.Representation != "melody" || b.Manifest.Provenance.SourceKind != "magenta.js" {
		t.Fatalf("bundle config %s, provenance %+v", c.JSON(), b.Manifest.Provenance)
	}
	out := filepath.Join(dir, "again")
	if _, err := run(t, "export", "--model", bundle, "--magenta", out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.json", "weights_manifest.json", "group1-shard1of1"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
	// The checkpoint as --model, exported again, and imported again.
	out2 := filepath.Join(dir, "again2")
	if _, err := run(t, "export", "--model", out, "--magenta", out2); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(out, "group1-shard1of1"))
	c, _ := os.ReadFile(filepath.Join(out2, "group1-shard1of1"))
	if string(a) != string(c) {
		t.Fatal("a second export changed the shard")
	}
	before := folderSnapshot(t, dir)
	if _, err := run(t, "import", out, "-o", filepath.Join(out, "group1-shard1of1")); err == nil || !strings.Contains(err.Error(), "refusing to write over an input") {
		t.Errorf("import over the checkpoint's shard: %v", err)
	}
	if _, err := run(t, "export", "--model", out, "--magenta", out); err == nil || !strings.Contains(err.Error(), "refusing to write over an input") {
		t.Errorf("export of a checkpoint into its own folder: %v", err)
	}
	if after := folderSnapshot(t, dir); !sameFolderSnapshot(before, after) {
		t.Fatalf("a refused export changed the folder")
	}
	// The embedded default model is a spec model: no Magenta converter.
	if _, err := run(t, "export", "--magenta", filepath.Join(dir, "spec")); err == nil || !strings.Contains(err.Error(), "no Magenta converter") {
		t.Errorf("export --magenta of the default model: %v", err)
	}
}
