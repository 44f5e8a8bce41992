// Package music turns MIDI files into the tensors a MusicVAE reads and back,
// following section 1 of the mvae/1 contract (shared/spec/MUSICVAE.md):
//
//   - a 16th-note grid (4 steps a quarter, 4/4 only: a file is split at its
//     time signature changes and its 4/4 stretches read), tick based;
//   - drums: note-ons on channel 10 mapped to 9 classes by the gm or roland map;
//   - three representations (and Magenta's trio): groove (D=27: hits, velocities, offsets),
//     drums (D=512: one-hot of the set of hit classes) and melody (D=90:
//     0 = no event, 1 = note off, 2+pitch-21 = note on);
//   - windows of `bars` bars starting at every bar line.
//
// A Magenta model reads and writes MIDI as its magenta.js 1.23.1 converter
// does instead (MagentaConverter, parsed from the model's config): the
// NoteSequence magenta.js builds (MagentaSequenceOf: seconds from the tempo
// map, quantized with one tempo), MelodyConverter, DrumsConverter,
// GrooveConverter and TrioConverter windows (MagentaWindows, and MagentaInputs
// for toTensor itself), and toNoteSequence's notes back (WindowToMIDI with
// WriteOptions.Magenta).
//
// Reading MIDI goes through gitlab.com/gomidi/midi/v2/smf; this package adds
// the limits and checks that make hostile files an error instead of a panic.
package music
