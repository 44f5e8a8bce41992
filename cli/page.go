package cli

import "io/fs"

// pageFS is the web page mvae serve mounts at / (nil: serve's placeholder).
func pageFS() fs.FS { return nil }
