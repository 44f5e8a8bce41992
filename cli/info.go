package cli

import (
	"fmt"
	"os"
	"sort"

	ucli "github.com/urfave/cli/v2"
)

func infoCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "info",
		Usage:     "print a bundle's config, parameter count, sizes and provenance",
		ArgsUsage: "[NAME.mvae]",
		Flags:     []ucli.Flag{modelFlag, jsonFlag},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 1 {
				return fmt.Errorf("info takes one bundle")
			}
			if c.NArg() == 1 {
				if err := c.Set("model", c.Args().First()); err != nil {
					return err
				}
			}
			b, name, err := loadBundle(c)
			if err != nil {
				return err
			}
			cfg := b.Config()
			size := int64(0)
			if c.NArg() == 1 {
				if st, err := os.Stat(c.Args().First()); err == nil {
					size = st.Size()
				}
			}
			graphSizes := map[string]int64{}
			for _, n := range b.GraphNames() {
				graphSizes[n], _ = b.GraphSize(n)
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, map[string]any{
					"bundle": name, "format": b.Manifest.Format, "config": cfg, "parameters": cfg.NumParams(),
					"weights_dtype": b.Manifest.WeightsDType, "file_bytes": size, "graph_bytes": graphSizes,
					"provenance": b.Manifest.Provenance, "verification": b.Manifest.Verification,
				})
			}
			w := c.App.Writer
			fmt.Fprintf(w, "bundle:         %s (%s)\n", name, b.Manifest.Format)
			fmt.Fprintf(w, "representation: %s, %d bars (%d steps), %d segments, drum map %s\n", cfg.Representation, cfg.Bars, cfg.T(), cfg.Segments, cfg.DrumMap)
			fmt.Fprintf(w, "network:        D %d, z %d, encoder %dx%d (bidirectional), conductor %dx%d, decoder %dx%d\n",
				cfg.InputSize, cfg.ZSize, cfg.Encoder.Hidden, cfg.Encoder.Layers, cfg.Conductor.Hidden, cfg.Conductor.Layers, cfg.Decoder.Hidden, cfg.Decoder.Layers)
			fmt.Fprintf(w, "training:       free bits %g, max beta %g\n", cfg.FreeBits, cfg.MaxBeta)
			fmt.Fprintf(w, "parameters:     %d (weights stored as %s)\n", cfg.NumParams(), b.Manifest.WeightsDType)
			if size > 0 {
				fmt.Fprintf(w, "file size:      %d bytes\n", size)
			}
			names := make([]string, 0, len(graphSizes))
			for n := range graphSizes {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(w, "graph:          %s (%d bytes)\n", n, graphSizes[n])
			}
			p := b.Manifest.Provenance
			fmt.Fprintf(w, "source:         %s (%s) %s\n", p.Source, p.SourceKind, p.Producer)
			if p.SourceSHA256 != "" {
				fmt.Fprintf(w, "source sha256:  %s\n", p.SourceSHA256)
			}
			if p.Tool != "" {
				fmt.Fprintf(w, "written by:     %s at %s\n", p.Tool, p.Created)
			}
			if p.Notes != "" {
				fmt.Fprintf(w, "notes:          %s\n", p.Notes)
			}
			if v := b.Manifest.Verification; v != nil {
				fmt.Fprintf(w, "verification:   against %v: %v\n", v["reference"], v["max_abs_diff"])
			}
			return nil
		},
	}
}
