package embedded

import (
	"testing"

	"github.com/musicvae-go/mvae/music"
)

// TestLookup: each name opens its model, groove is the default and comes
// first, and an unknown name (or a path) finds nothing.
func TestLookup(t *testing.T) {
	want := map[string]struct {
		rep  music.Representation
		bars int
	}{"groove": {music.Groove, 4}, "melody": {music.Melody, 2}}
	names := Names()
	if len(names) != len(want) || names[0] != Default || Default != "groove" {
		t.Fatalf("Names() = %v, Default %q", names, Default)
	}
	for _, n := range names {
		open := Lookup(n)
		if open == nil {
			t.Fatalf("Lookup(%q) = nil", n)
		}
		b, err := open()
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if c := b.Config(); c.Rep() != want[n].rep || c.Bars != want[n].bars {
			t.Errorf("%s: %s, %d bars; want %s, %d", n, c.Rep(), c.Bars, want[n].rep, want[n].bars)
		}
	}
	for _, n := range []string{"", "Melody", "./melody", "melody.mvae", "drums"} {
		if Lookup(n) != nil {
			t.Errorf("Lookup(%q) found a model", n)
		}
	}
}
