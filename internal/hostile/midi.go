package hostile

import (
	"os"
	"path/filepath"
)

// writeFile writes data to dir/name and returns the path.
func writeFile(dir, name string, data []byte) (string, error) {
	p := filepath.Join(dir, name)
	return p, os.WriteFile(p, data, 0o644)
}

func init() {
	Register(Case{
		Name: "midi/not-midi",
		Make: func(dir string) ([]string, string, error) {
			p, err := writeFile(dir, "notes.mid", []byte("this is not a MIDI file at all"))
			return []string{"data", "show", p, "-o", filepath.Join(dir, "w.npy")}, p, err
		},
		Want: []string{"MThd"},
	})
}
