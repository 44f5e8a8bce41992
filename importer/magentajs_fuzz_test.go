package importer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/musicvae-go/mvae/internal/craft"
	"github.com/musicvae-go/mvae/internal/hostile"
	"github.com/musicvae-go/mvae/model"
)

// FuzzMagentaManifest: arbitrary manifests never panic the manifest reader
// or the architecture inference, and what they accept stays within the
// limits.
func FuzzMagentaManifest(f *testing.F) {
	f.Add([]byte(craft.MagentaMelManifest))
	f.Add([]byte(`[{"paths":["a"],"weights":[{"name":"x","shape":[2,NaN],"dtype":"float32","quantization":{"dtype":"uint8","min":-Infinity,"scale":"x"}}]}]`))
	for _, d := range hostile.MagentaDamages() {
		dir := filepath.Join(f.TempDir(), d.Name)
		if err := craft.MagentaMel(dir); err != nil {
			f.Fatal(err)
		}
		if _, err := d.Damage(dir); err != nil {
			f.Fatal(err)
		}
		// (Some damages make the manifest a device: readSmallFile refuses it.)
		if b, err := readSmallFile(filepath.Join(dir, MagentaManifestFile), maxMagentaManifest); err == nil {
			f.Add(b)
		}
	}
	for _, name := range []string{"trio_hier", "drums_2bar"} {
		dir := filepath.Join(f.TempDir(), name)
		c := model.TinyFamilies()[name]
		if _, err := WriteMagenta(dir, c, randomCanonical(c, 1)); err != nil {
			f.Fatal(err)
		}
		if b, err := os.ReadFile(filepath.Join(dir, MagentaManifestFile)); err == nil {
			f.Add(b)
		}
	}
	spec, err := parseMagentaSpec([]byte(craft.MagentaMelConfig))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		groups, err := parseMagentaManifest(data)
		if err != nil {
			return
		}
		n := 0
		for _, g := range groups {
			for _, e := range g.Entries {
				n += e.Numel
				if e.Bytes != int64(e.Numel)*storeWidth[e.Store] {
					t.Fatalf("%s: %d bytes for %d values of %s", e.Name, e.Bytes, e.Numel, e.Store)
				}
			}
		}
		if n > MaxMagentaValues {
			t.Fatalf("accepted %d values", n)
		}
		_, shapes := manifestShapes(groups)
		inferMagenta(spec, shapes)
	})
}
