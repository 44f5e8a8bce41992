package model

import "path/filepath"

// Portable returns p without the writing machine's folders: an absolute
// Source (the file imported or fine-tuned) keeps only its base name; its
// SourceSHA256 still identifies it. WriteBundle stores provenance this way,
// and readers print it this way (older bundles may hold a full path).
func (p Provenance) Portable() Provenance {
	if filepath.IsAbs(p.Source) {
		p.Source = filepath.Base(p.Source)
	}
	return p
}
