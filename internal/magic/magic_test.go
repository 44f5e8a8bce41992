package magic

import "testing"

func TestDetect(t *testing.T) {
	for data, want := range map[string]Format{
		"":                             Empty,
		"\x89PNG\r\n\x1a\n\x00":        PNG,
		"PK\x03\x04rest":               Zip,
		"\x80\x02\x8a\x0a":             Pickle,
		"MThd\x00\x00\x00\x06":         MIDI,
		" {\"format\": 1}\n":           JSON,
		"hello\n":                      Text,
		"\x08\x07\x12\x04\x00\xff\x01": Unknown,
		"\x05\x00\x00\x00\x00\x00\x00\x00{\"a\"}": Safetensors,
	} {
		if got := Detect([]byte(data)); got != want {
			t.Errorf("Detect(%q) = %v, want %v", data, got, want)
		}
	}
	for f := Unknown; f <= Text; f++ {
		if f.String() == "" {
			t.Errorf("format %d has no name", int(f))
		}
	}
}
