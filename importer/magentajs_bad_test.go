package importer

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/internal/craft"
	"github.com/musicvae-go/mvae/internal/hostile"
)

// TestMagentaDamaged imports every damaged checkpoint of the hostile-input
// harness in process: each is one error naming the folder, the file and
// what is wrong.
func TestMagentaDamaged(t *testing.T) {
	for _, d := range hostile.MagentaDamages() {
		t.Run(d.Name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "mel")
			if err := craft.MagentaMel(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := File(dir, Options{}); err != nil {
				t.Fatalf("the undamaged checkpoint: %v", err)
			}
			file, err := d.Damage(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = File(dir, Options{})
			if err == nil {
				t.Fatal("imported")
			}
			msg := err.Error()
			if !strings.Contains(msg, filepath.Join(dir, file)) {
				t.Errorf("the error does not name %s: %s", filepath.Join(dir, file), msg)
			}
			for _, w := range d.Want {
				if !strings.Contains(strings.ToLower(msg), strings.ToLower(w)) {
					t.Errorf("the error does not say %q: %s", w, msg)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("a message of several lines: %s", msg)
			}
		})
	}
}
