// Package magic names the file formats most often given to mvae by mistake,
// from their first bytes, so that a reader can say what a file is instead of
// only what it is not.
package magic

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
)

// Format is a file format Detect knows.
type Format int

// The formats; Unknown is none of them.
const (
	Unknown Format = iota
	Empty
	PNG
	JPEG
	GIF
	PDF
	MIDI
	NPY
	HDF5
	RIFF
	Ogg
	FLAC
	MP3
	ELF
	Zip
	Gzip
	Bzip2
	XZ
	Zstd
	SevenZip
	RAR
	Pickle
	Tar
	Safetensors
	JSON
	Text
)

var names = [...]string{
	Unknown: "data of no format mvae knows", Empty: "an empty file",
	PNG: "a PNG image", JPEG: "a JPEG image", GIF: "a GIF image", PDF: "a PDF document",
	MIDI: "a MIDI file", NPY: "a NumPy .npy array", HDF5: "an HDF5 file (a Keras model?)",
	RIFF: "a RIFF file (WAV audio?)", Ogg: "an Ogg file", FLAC: "a FLAC file", MP3: "an MP3 file",
	ELF: "an executable (ELF)", Zip: "a zip archive", Gzip: "gzip-compressed data",
	Bzip2: "bzip2-compressed data", XZ: "xz-compressed data", Zstd: "zstd-compressed data",
	SevenZip: "a 7-Zip archive", RAR: "a RAR archive", Pickle: "a pickle file", Tar: "a tar archive",
	Safetensors: "a safetensors file (weights without a config)", JSON: "a text file (JSON?)", Text: "a text file",
}

// String names the format for a message: "a PNG image".
func (f Format) String() string { return names[f] }

// signatures are checked at offset 0.
var signatures = []struct {
	magic  string
	format Format
}{
	{"\x89PNG\r\n\x1a\n", PNG}, {"\xff\xd8\xff", JPEG}, {"GIF87a", GIF}, {"GIF89a", GIF},
	{"%PDF-", PDF}, {"MThd", MIDI}, {"\x93NUMPY", NPY}, {"\x89HDF\r\n\x1a\n", HDF5},
	{"RIFF", RIFF}, {"OggS", Ogg}, {"fLaC", FLAC}, {"ID3", MP3}, {"\x7fELF", ELF},
	{"PK\x03\x04", Zip}, {"PK\x05\x06", Zip}, {"\x1f\x8b", Gzip}, {"BZh", Bzip2},
	{"\xfd7zXZ\x00", XZ}, {"\x28\xb5\x2f\xfd", Zstd}, {"7z\xbc\xaf\x27\x1c", SevenZip},
	{"Rar!\x1a\x07", RAR},
}

// Detect says what format data is in, from its first bytes.
func Detect(data []byte) Format {
	if len(data) == 0 {
		return Empty
	}
	for _, s := range signatures {
		if bytes.HasPrefix(data, []byte(s.magic)) {
			return s.format
		}
	}
	switch {
	case len(data) >= 2 && data[0] == 0x80 && data[1] <= 5: // PROTO 0-5
		return Pickle
	case len(data) >= 262 && string(data[257:262]) == "ustar":
		return Tar
	// safetensors: an 8-byte little-endian header length, then a JSON object.
	case len(data) >= 9 && data[8] == '{' && binary.LittleEndian.Uint64(data) <= uint64(len(data)-8):
		return Safetensors
	case isText(data):
		if t := bytes.TrimSpace(data); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			return JSON
		}
		return Text
	}
	return Unknown
}

// isText reports whether the first KiB of data is printable UTF-8 text.
func isText(data []byte) bool {
	head := data[:min(len(data), 1024)]
	for len(head) > 0 {
		r, n := utf8.DecodeRune(head)
		if r == utf8.RuneError && n <= 1 {
			// A rune cut at the end of the window is still text.
			return len(head) < utf8.UTFMax && len(data) > 1024
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return false
		}
		head = head[n:]
	}
	return true
}
