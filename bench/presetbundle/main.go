// Command presetbundle writes a bench preset with random weights as a bundle,
// for scripts/measure-memory.sh: go run ./bench/presetbundle -preset seed -o seed.mvae
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/musicvae-go/mvae/bench"
	"github.com/musicvae-go/mvae/model"
)

func main() {
	preset := flag.String("preset", "seed", "the bench preset: "+fmt.Sprint(bench.PresetNames()))
	out := flag.String("o", "", "the bundle to write (NAME.mvae)")
	seed := flag.Uint64("seed", 1, "random seed of the weights")
	magenta := flag.Bool("magenta", false, "Magenta's hierdec-mel_16bar family (a melody model export --magenta can write) at the preset's sizes")
	flag.Parse()
	if err := run(*preset, *out, *seed, *magenta); err != nil {
		fmt.Fprintln(os.Stderr, "presetbundle:", err)
		os.Exit(1)
	}
}

func run(preset, out string, seed uint64, magenta bool) error {
	if out == "" {
		return fmt.Errorf("say where the bundle goes (-o NAME.mvae)")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists; mvae does not overwrite it", out)
	}
	c, err := bench.Preset(preset)
	if err != nil {
		return err
	}
	if magenta {
		m := model.TinyFamilies()["hierdec_mel"]
		m.Bars, m.Segments = 16, 16
		m.Magenta.Converter = []byte(`{"type":"MelodyConverter","args":{"numSteps":256,"minPitch":21,"maxPitch":108,"numSegments":16}}`)
		m.Encoder, m.Conductor, m.Decoder, m.ZSize = c.Encoder, c.Conductor, c.Decoder, c.ZSize
		c = m
	}
	b, err := bench.RandomBundle(c, seed)
	if err != nil {
		return err
	}
	return model.WriteBundleFile(out, b, false)
}
