// Command mvae runs and fine-tunes MusicVAE models from Go.
// See README.md, or run `mvae --help`.
package main

import (
	"os"

	"github.com/musicvae-go/mvae/cli"
)

func main() {
	os.Exit(cli.Main(os.Args))
}
