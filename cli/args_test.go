package cli

import (
	"reflect"
	"testing"
)

func TestReorder(t *testing.T) {
	app := NewApp()
	for _, c := range []struct{ in, want []string }{
		{
			[]string{"mvae", "data", "show", "F.mid", "-o", "W.npy"},
			[]string{"mvae", "data", "show", "-o", "W.npy", "F.mid"},
		},
		{
			[]string{"mvae", "data", "show", "-o", "W.npy", "F.mid"},
			[]string{"mvae", "data", "show", "-o", "W.npy", "F.mid"},
		},
		{
			[]string{"mvae", "--ort-lib", "x.so", "data", "build", "A", "--json", "B", "--bars=2", "-r", "drums"},
			[]string{"mvae", "--ort-lib", "x.so", "data", "build", "--json", "--bars=2", "-r", "drums", "A", "B"},
		},
		{
			[]string{"mvae", "data", "show", "F.mid", "--", "-odd.mid"},
			[]string{"mvae", "data", "show", "--", "F.mid", "-odd.mid"},
		},
		{
			[]string{"mvae", "help", "data", "show"},
			[]string{"mvae", "data", "show", "--help"},
		},
		{
			[]string{"mvae", "nosuch", "x", "-o", "y"},
			[]string{"mvae", "nosuch", "x", "-o", "y"},
		},
	} {
		if got := reorder(app, c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("reorder(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
