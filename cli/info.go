package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
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
					"provenance": b.Manifest.Provenance.Portable(), "verification": b.Manifest.Verification,
				})
			}
			printInfo(c.App.Writer, infoLines(b, name, size, graphSizes))
			return nil
		},
	}
}

// infoLines says what a bundle is, in plain words, one key and value a line.
func infoLines(b *model.Bundle, name string, size int64, graphSizes map[string]int64) [][2]string {
	cfg := b.Config()
	format := b.Manifest.Format
	if format == "" {
		format = "imported in memory, not a bundle file"
	}
	rep := fmt.Sprintf("%s, %s (%d steps), %s", cfg.Representation, plural(cfg.Bars, "bar"), cfg.T(), plural(cfg.Segments, "segment"))
	if r := cfg.Rep(); r != music.Melody {
		rep += ", drum map " + cfg.DrumMap
	}
	lines := [][2]string{
		{"bundle", fmt.Sprintf("%s (%s)", name, format)},
		{"representation", rep},
		{"network", cfg.Network()},
		{"training", fmt.Sprintf("free bits %g, max beta %g", cfg.FreeBits, cfg.MaxBeta)},
	}
	if m := cfg.Magenta; m != nil {
		var conv bytes.Buffer
		if json.Compact(&conv, m.Converter) != nil {
			conv.Reset()
			conv.Write(m.Converter)
		}
		lines = append(lines, [2]string{"magenta", fmt.Sprintf("from %s, MIDI through %s", m.Source, conv.String())})
	}
	lines = append(lines, [][2]string{
		{"parameters", weightsText(cfg.NumParams(), b.Manifest.WeightsDType)},
	}...)
	if size > 0 {
		lines = append(lines, [2]string{"file size", fmt.Sprintf("%d bytes", size)})
	}
	if len(graphSizes) == 0 {
		lines = append(lines, [2]string{"graphs", "none stored (built from the weights when onnxruntime needs them)"})
	} else {
		names := make([]string, 0, len(graphSizes))
		for n := range graphSizes {
			names = append(names, n)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s (%d bytes)", n, graphSizes[n])
		}
		lines = append(lines, [2]string{"graphs", strings.Join(parts, ", ")})
	}
	p := b.Manifest.Provenance.Portable()
	if p.Source != "" || p.SourceKind != "" {
		var about []string
		for _, s := range []string{p.SourceKind, p.Producer} {
			if s != "" {
				about = append(about, s)
			}
		}
		if len(about) == 2 {
			about[1] = "made by " + about[1]
		}
		if p.Opset > 0 {
			about = append(about, fmt.Sprintf("opset %d", p.Opset))
		}
		src := p.Source
		if len(about) > 0 {
			src += " (" + strings.Join(about, ", ") + ")"
		}
		lines = append(lines, [2]string{"source", strings.TrimSpace(src)})
	}
	if p.SourceSHA256 != "" {
		lines = append(lines, [2]string{"source sha256", p.SourceSHA256})
	}
	if p.Tool != "" {
		lines = append(lines, [2]string{"written by", strings.TrimSpace(p.Tool + " at " + p.Created)})
	}
	if p.Notes != "" {
		lines = append(lines, [2]string{"notes", p.Notes})
	}
	if v := b.Manifest.Verification; v != nil {
		lines = append(lines, [2]string{"verification", verificationText(v)})
	}
	return lines
}

// verificationText says what an import's check found: against what, and
// the largest difference (a manifest read from JSON holds float64s).
func verificationText(v map[string]any) string {
	s := "against " + fmt.Sprint(v["reference"])
	if rt, ok := v["runtime"].(string); ok && rt != "" {
		s += " on " + rt
	}
	if b, ok := jsonNumber(v["batch"]); ok {
		s += fmt.Sprintf(", batch %g", b)
	}
	diffs := map[string]float64{}
	switch d := v["max_abs_diff"].(type) {
	case map[string]float64:
		diffs = d
	case map[string]any:
		for k, x := range d {
			if f, ok := jsonNumber(x); ok {
				diffs[k] = f
			}
		}
	}
	worst, at := -1.0, ""
	for k, d := range diffs {
		if d > worst || d == worst && k < at {
			worst, at = d, k
		}
	}
	if at != "" {
		s += fmt.Sprintf(": largest absolute difference %.2g (%s) over %d outputs", worst, at, len(diffs))
	}
	return s
}

func jsonNumber(x any) (float64, bool) {
	switch x := x.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

// printInfo writes key: value lines with the values in one column.
func printInfo(w io.Writer, lines [][2]string) {
	width := 0
	for _, l := range lines {
		width = max(width, len(l[0]))
	}
	for _, l := range lines {
		fmt.Fprintf(w, "%-*s %s\n", width+1, l[0]+":", l[1])
	}
}

// plural is "1 bar", "4 bars".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// weightsText is the parameter count and how the weights are stored.
func weightsText(n int, dtype model.Precision) string {
	if dtype == "" {
		return fmt.Sprintf("%d (float32, in memory)", n)
	}
	return fmt.Sprintf("%d (weights stored as %s)", n, dtype)
}
