package musicvae

import (
	"io"

	"github.com/musicvae-go/mvae/music"
)

// ReadMIDI reads the model's windows of a MIDI file (music.FileWindows with
// the model's representation, bars and drum map, or its magenta.js
// converter): every window of Config().Bars bars starting at a bar line
// that holds a note. Errors name the file.
func (m *Model) ReadMIDI(path string) (*music.Windows, error) {
	return music.FileWindows(path, m.Config().MusicOptions())
}

// ReadMIDIFiles reads the windows of several files (music.ReadFilesWindows):
// a file that gives none is passed to skip and left out, or with strict
// returned as the error.
func (m *Model) ReadMIDIFiles(paths []string, strict bool, skip func(error)) (*music.FilesWindows, error) {
	return music.ReadFilesWindows(paths, m.Config().MusicOptions(), strict, skip)
}

// WriteMIDI writes one sequence of tokens (T*D values, or several
// sequences' one after the other: Sequences.Concat) as a Standard MIDI
// File. o's representation, drum map and converter are the model's; the
// rest (tempo, name...) is the caller's.
func (m *Model) WriteMIDI(w io.Writer, tokens []float32, o music.WriteOptions) error {
	mo := m.Config().WriteOptions()
	o.Representation, o.DrumMap, o.Magenta = mo.Representation, mo.DrumMap, mo.Magenta
	return music.WindowToMIDI(w, tokens, o)
}

// ParseMIDI is ReadMIDI of a Standard MIDI File in memory.
func (m *Model) ParseMIDI(data []byte) (*music.Windows, error) {
	s, err := music.ParseMIDI(data)
	if err != nil {
		return nil, err
	}
	return music.SongWindows(s, m.Config().MusicOptions())
}
