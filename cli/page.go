package cli

import (
	"io/fs"

	"github.com/musicvae-go/mvae/web"
)

// pageFS is the web page mvae serve mounts at / (package web).
func pageFS() fs.FS { return web.FS() }
