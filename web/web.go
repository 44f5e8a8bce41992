// Package web holds the page `mvae serve` shows at /: plain ES modules, one
// stylesheet and one HTML file, embedded in the binary (no CDN, no build
// step, works offline). The page talks to the JSON API under /api/: it draws
// the step grid of a groove (or the piano roll of a melody), plays it with
// WebAudio (drums synthesised in the browser), edits it by clicking cells,
// uploads MIDI files to encode, moves through the latent space (an
// interpolation slider, a four-corner pad, "similar", attribute sliders) and
// downloads the edited tokens as MIDI.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS returns the page's files, rooted so that index.html is at the top: a
// server mounts it at / (http.FileServerFS(web.FS())).
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic("web: " + err.Error()) // the embedded tree always has static/
	}
	return sub
}
