package importer

import "testing"

// TestShortShard: the shard blamed for a group of the wrong size is the
// first one (but the last) that differs from the others' size, else the
// last.
func TestShortShard(t *testing.T) {
	paths := []string{"s1", "s2", "s3", "s4"}
	for _, c := range []struct {
		sizes map[string]int64
		want  string
	}{
		{map[string]int64{"s1": 100, "s2": 100, "s3": 100, "s4": 7}, "s4"},
		{map[string]int64{"s1": 40, "s2": 100, "s3": 100, "s4": 7}, "s1"},
		{map[string]int64{"s1": 100, "s2": 100, "s3": 0, "s4": 100}, "s3"},
		{map[string]int64{"s1": 100, "s2": 100, "s3": 100, "s4": 900}, "s4"},
	} {
		if got := shortShard(paths, c.sizes); got != c.want {
			t.Errorf("sizes %v: blamed %s, want %s", c.sizes, got, c.want)
		}
	}
	if got := shortShard([]string{"only"}, map[string]int64{"only": 3}); got != "only" {
		t.Errorf("one shard: blamed %s", got)
	}
}
