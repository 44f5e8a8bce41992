package importer

import (
	"strings"
	"testing"

	"github.com/nlpodyssey/gopickle/pickle"
)

func TestScanPickle(t *testing.T) {
	// Streams the scan lets through, and gopickle reads.
	for _, ok := range []string{
		"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00}\x94(u.", // framed protocol 4
		"(lp0\nI1\naL2\na.", // protocol 0, text arguments
		"\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x00\x01.", // LONG1 of 9 bytes
		"\x80\x03X\x03\x00\x00\x00abcq\x00h\x00\x86.",           // BINUNICODE, BINPUT, BINGET, TUPLE2
	} {
		if err := scanPickle([]byte(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
			continue
		}
		if _, err := pickle.Loads(ok); err != nil {
			t.Errorf("%q: gopickle: %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"":                                      "no STOP",
		"\x80\x02}":                             "no STOP",
		"\x80\x02}.N":                           "1 bytes after the pickle's STOP",
		"\x80\x02\xff.":                         "unknown pickle opcode 0xff at byte 2",
		"\x80\x06.":                             "pickle protocol 6",
		"\x80\x02J\x01\x00":                     "BININT at byte 2 needs 4 bytes, 2 remain",
		"\x80\x02X\xff\xff\xff\x7fabc.":         "BINUNICODE at byte 2 claims 2147483647 bytes, 4 remain",
		"\x80\x02T\xff\xff\xff\xff.":            "BINSTRING at byte 2 has a negative length",
		"\x80\x02\x8a\x00.":                     "LONG1 at byte 2: an integer of 0 bytes",
		"\x80\x04\x95\x00\x00\x00\x00\x01":      "FRAME at byte 2 needs 8 bytes, 5 remain",
		"\x80\x02ctorch\nFloatStorage":          "GLOBAL at byte 2 has no end of line",
		"I" + strings.Repeat("9", 2000) + "\n.": "INT at byte 0: an integer of 2000 digits",
	} {
		err := scanPickle([]byte(bad))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.20q: %v, want %q", bad, err, want)
		}
	}
}
