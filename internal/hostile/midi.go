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
	for _, c := range []struct {
		name string
		data string
		want []string
	}{
		// 10 bytes of a real header: cut short, not "no MThd header".
		{"truncated-10-bytes", "MThd\x00\x00\x00\x06\x00\x01", []string{"truncated", "too short"}},
		{"header-claims-more", "MThd\x00\x00\x10\x00\x00\x00\x00\x01\x00\x60", []string{"truncated", "claims 4096 bytes"}},
		{"track-claims-more", "MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x7f\xff\xff\xff\x00\x90", []string{"truncated", "track 0 claims"}},
		{"three-bytes", "\x01\x02\x03", []string{"not a Standard MIDI File"}},
		{"rmid", "RIFF\x10\x00\x00\x00RMIDdata\x00\x00\x00\x00", []string{"RMID"}},
	} {
		Register(Case{
			Name: "midi/" + c.name,
			Make: func(dir string) ([]string, string, error) {
				p, err := writeFile(dir, "notes.mid", []byte(c.data))
				return []string{"data", "show", p, "-o", filepath.Join(dir, "w.npy")}, p, err
			},
			Want: c.want,
		})
	}
}
