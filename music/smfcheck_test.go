package music

import (
	"strings"
	"testing"
)

// TestSMFHeaderMessages: a file cut short says so; only a file that does not
// start like a MIDI file is "not a Standard MIDI File".
func TestSMFHeaderMessages(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"", "empty file"},
		{"MTh", "truncated MIDI file: 3 bytes"},
		{"ab", "not a Standard MIDI File (no MThd header)"},
		{"MThd\x00\x00\x00\x06\x00\x00", "truncated MIDI file: 10 bytes, too short"},
		{"MThd\x00\x00\x10\x00\x00\x00\x00\x01\x00\x60", "the MThd header claims 4096 bytes, 6 remain"},
		{"MThd\x00\x00\x00\x02\x00\x00\x00\x01\x00\x60", "length 2, at least 6"},
		{"RIFF\x10\x00\x00\x00RMIDdata", "RIFF MIDI file (RMID)"},
		{"\x89PNG\r\n\x1a\n", "a PNG image, not a Standard MIDI File (no MThd header)"},
		{"\x00\x01\x02\x03\xfe", "not a Standard MIDI File (no MThd header)"},
	} {
		before := c.data
		_, err := ParseMIDI([]byte(c.data))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.data, err, c.want)
		}
		if KindOf(err) != SkipCorrupt {
			t.Errorf("%q: kind %q", c.data, KindOf(err))
		}
		if c.data != before {
			t.Fatal("input changed")
		}
	}
}
