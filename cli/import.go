package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
	"github.com/musicvae-go/mvae/npy"
	"github.com/musicvae-go/mvae/runtime"
)

func importCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "import",
		Usage:     "turn an exported MusicVAE (ONNX, a PyTorch state_dict .pt, or a magenta.js checkpoint folder) into a verified bundle",
		ArgsUsage: "MODEL.onnx|MODEL.pt|CHECKPOINT_DIR",
		Description: "Recovers the canonical weights (PyTorch names) from the graph's structure, builds the graphs\n" +
			"the runtimes need, runs the original graph and the rebuilt ones on the same random input under\n" +
			"onnxruntime, and refuses the import when they differ by more than 1e-4. The bundle stores the\n" +
			"weights once; the graphs are rebuilt from them when onnxruntime runs (--graphs stores them too).\n" +
			"The config comes from the graph's mvae.config metadata, else --config, else from what the\n" +
			"weights show plus the flags.\n" +
			"A .pt carries no config: give --config, or keep a config.json beside it.\n" +
			"A magenta.js checkpoint (a folder with config.json and weights_manifest.json) is read as magenta.js\n" +
			"reads it: sizes from the tensors' names and shapes, the music from its converter; the import checks\n" +
			"that the canonical weights convert back to every value of the checkpoint.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the bundle to write (`NAME.mvae`)", Required: true},
			&ucli.StringFlag{Name: "config", Usage: "an mvae/1 config (`C.json`)"},
			&ucli.StringFlag{Name: "drum-map", Usage: "gm or roland (when the model does not say)"},
			&ucli.IntFlag{Name: "bars", Usage: "bars (when the model does not say)"},
			&ucli.IntFlag{Name: "segments", Usage: "segments (when the model does not say)"},
			&ucli.Float64Flag{Name: "free-bits", Usage: "free bits (for fine-tuning; when the model does not say)"},
			&ucli.Float64Flag{Name: "max-beta", Usage: "max beta (for fine-tuning; when the model does not say)"},
			&ucli.BoolFlag{Name: "half", Usage: "store the weights as float16 (half the size)"},
			precisionFlag,
			&ucli.BoolFlag{Name: "graphs", Usage: "also store the ONNX graphs in the bundle, for onnxruntime users (about three times the size; mvae rebuilds them from the weights and needs none)"},
			&ucli.BoolFlag{Name: "no-graphs", Hidden: true, Usage: "deprecated: bundles store no graphs unless --graphs is given"},
			&ucli.BoolFlag{Name: "no-verify", Usage: "skip the onnxruntime check (not recommended)"},
			jsonFlag,
		},
		Action: runImport,
	}
}

func runImport(c *ucli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("import takes one .onnx or .pt file or a magenta.js checkpoint folder, got %d arguments", c.NArg())
	}
	src := c.Args().First()
	// An import holds a few buffers the size of the model (its weights, a
	// graph, onnxruntime's copy of it) and makes as much garbage: collect
	// it sooner than Go's default (which lets the heap grow to twice what
	// is live) to keep the peak near what is live.
	defer debug.SetGCPercent(debug.SetGCPercent(25))
	o := importer.Options{DrumMap: c.String("drum-map"), Bars: c.Int("bars"), Segments: c.Int("segments")}
	if p := c.String("config"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		cfg, err := model.ParseConfig(data)
		if err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		o.Config = cfg
	}
	if c.IsSet("free-bits") {
		v := c.Float64("free-bits")
		o.FreeBits = &v
	}
	if c.IsSet("max-beta") {
		v := c.Float64("max-beta")
		o.MaxBeta = &v
	}
	r, err := importer.File(src, o)
	if err != nil {
		return err
	}
	// Reading the model left garbage the size of the weights (an ONNX
	// model's decoded tensors): back to the system before the check.
	debug.FreeOSMemory()
	for _, n := range r.Notes {
		logf("note: %s", n)
	}
	r.Provenance.Tool = "mvae " + Version
	// A Magenta checkpoint has no graph to verify against: the importer has
	// checked every tensor and the conversion back to the checkpoint's
	// values; here both runtimes run the imported model and must agree.
	magenta := r.Config.Magenta != nil
	if c.Bool("no-graphs") {
		logf("note: --no-graphs is deprecated: bundles store no graphs unless --graphs is given")
		if c.Bool("graphs") {
			return fmt.Errorf("--graphs and --no-graphs contradict each other")
		}
	}
	b, _, err := r.Bundle(c.Bool("graphs"))
	if err != nil {
		return err
	}
	verified := "not verified (--no-verify)"
	if magenta && !c.Bool("no-verify") {
		tmp, err := os.MkdirTemp("", "mvae-import-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		r.Weights = nil
		if verified, b, err = verifyMagenta(c, b, src, tmp); err != nil {
			return err
		}
		defer b.Close()
	} else if !c.Bool("no-verify") {
		if _, err := runtime.Init(c.String("ort-lib")); err != nil {
			if errors.Is(err, runtime.ErrUnavailable) {
				logf("warning: could not verify under onnxruntime: %v", err)
				logf("checked: graph structure, weight names and shapes, config; not checked: that the rebuilt graphs and the native runtime compute what the original graph computes")
				verified = "not verified: onnxruntime unavailable"
			} else {
				return err
			}
		} else {
			// The check holds no copy of the weights in memory while
			// onnxruntime runs: the graphs are built first, one at a time,
			// each with its weights in a file of a temporary folder
			// (graphs.BuildExternal) that onnxruntime maps instead of
			// copying; the bundle is written to that folder and the Go
			// weights go back to the system; the native runtime runs from
			// the written bundle (native.Open: the weights held once), and
			// the bundle is read again to record the check (seed size:
			// 3.1x the weights at the peak to under 2x).
			tmp, err := os.MkdirTemp("", "mvae-import-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			if r.ONNXFile != "" {
				// The original graph, its weights moved to a file of tmp
				// (seed size: 3.4x the weights at the peak to 2.1x).
				if r.ONNX, err = graphs.ExternalizeFile(r.ONNXFile, tmp, "original.weights", 1024); err != nil {
					return err
				}
			}
			built := map[string][]byte{}
			for _, name := range importer.VerifiedGraphs {
				if built[name], err = graphs.BuildExternal(r.Config, r.Weights, name, tmp); err != nil {
					return err
				}
				// Building a graph leaves about its size in garbage.
				debug.FreeOSMemory()
			}
			written := filepath.Join(tmp, "import.mvae")
			if err := model.WriteBundleFile(written, b, false); err != nil {
				return err
			}
			r.Weights, b = nil, nil
			debug.FreeOSMemory()
			run := func(onnx []byte, inputs, outputs []string, ins ...*npy.Array) ([]*npy.Array, error) {
				return runtime.RunGraphExternal(tmp, onnx, inputs, outputs, ins...)
			}
			v, err := importer.Verify(r, importer.GraphMap(built), run, 1, func(x, eps []float32, B int) ([]float32, []float32, []float32, error) {
				wb, err := model.ReadBundleFile(written)
				if err != nil {
					return nil, nil, nil, err
				}
				defer wb.Close()
				nm, err := native.Open(wb)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("%s: %v", src, err)
				}
				logits, mu, sigma, err := generate.Forward(nm, x, eps, B)
				debug.FreeOSMemory()
				return logits, mu, sigma, err
			})
			if err != nil {
				return fmt.Errorf("%s: import refused: %v", src, err)
			}
			if b, err = model.ReadBundleFile(written); err != nil {
				return err
			}
			defer b.Close()
			v.Record(b)
			verified = fmt.Sprintf("verified against %s: max difference %.2g", v.Reference, v.Worst())
		}
	}
	if c.IsSet("precision") {
		// The import is verified in float32; then the weights are rounded
		// (mvae quantize --report measures what that changes).
		p, err := model.ParsePrecision(c.String("precision"))
		if err != nil {
			return fmt.Errorf("--precision: %v", err)
		}
		if c.Bool("half") && p != model.F16 {
			return fmt.Errorf("--half and --precision %s contradict each other", c.String("precision"))
		}
		if b, err = model.Quantize(b, p); err != nil {
			return err
		}
	}
	out := c.String("output")
	if err := model.WriteBundleFile(out, b, c.Bool("half")); err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{"output": out, "config": r.Config, "notes": r.Notes, "verification": b.Manifest.Verification, "parameters": r.Config.NumParams()})
	}
	logf("%s: %s", src, verified)
	logf("wrote %s (%s, %d bars, %d segments, %d parameters)", out, r.Config.Representation, r.Config.Bars, r.Config.Segments, r.Config.NumParams())
	return nil
}

// verifyMagenta runs an imported Magenta model on both runtimes (generate.Parity:
// encoder, conductor, every decoder step and sampled tokens) and records the
// result in the bundle it returns; without onnxruntime it records what the
// importer checked alone. The check holds the weights once: b is written to
// the folder tmp and dropped, the native runtime runs the whole check from
// the written bundle (native.Open: its own copy) and goes back to the
// system, then onnxruntime maps graphs built from it (runtime.Open releases
// the weights it read) and runs on the recorded inputs (magentaParity). The
// bundle returned is the written one, read again; the caller closes it.
func verifyMagenta(c *ucli.Context, b *model.Bundle, src, tmp string) (string, *model.Bundle, error) {
	checked := "names, shapes, finite values; converted back, every value bit for bit (forget-gate biases within 1 ulp)"
	if _, err := runtime.Init(c.String("ort-lib")); err != nil {
		if !errors.Is(err, runtime.ErrUnavailable) {
			return "", nil, err
		}
		logf("warning: could not run the model under onnxruntime: %v", err)
		b.Manifest.Verification = map[string]any{"reference": "the checkpoint's tensors", "checked": checked, "runtime": "none"}
		return "checked every tensor and the conversion back to the checkpoint; not run under onnxruntime (unavailable)", b, nil
	}
	written := filepath.Join(tmp, "import.mvae")
	if err := model.WriteBundleFile(written, b, false); err != nil {
		return "", nil, err
	}
	b = nil
	debug.FreeOSMemory()
	wb, err := model.ReadBundleFile(written)
	if err != nil {
		return "", nil, err
	}
	rep, err := magentaParity(c, wb, src)
	if err != nil {
		wb.Close()
		return "", nil, err
	}
	worst := 0.0
	diffs := map[string]float64{}
	for _, row := range rep.Rows {
		diffs[row.Graph+"."+row.Output] = row.MaxAbs
		worst = max(worst, row.MaxAbs)
	}
	if !rep.OK {
		wb.Close()
		return "", nil, fmt.Errorf("%s: import refused: the native runtime and onnxruntime disagree on the imported model (largest difference %.2g, tokens agree: %v)", src, worst, rep.TokensAgree)
	}
	wb.Manifest.Verification = map[string]any{"reference": "the native runtime", "checked": checked, "runtime": "onnxruntime", "max_abs_diff": diffs, "tokens_agree": rep.TokensAgree, "batch": rep.Batch}
	return fmt.Sprintf("checked every tensor and the conversion back; native and onnxruntime agree (largest difference %.2g, identical tokens)", worst), wb, nil
}

// magentaParity runs generate.Parity on the native runtime and onnxruntime,
// both opened from b, one after the other: the native runtime runs the
// whole check first (generate.RecordParity) and goes back to the system,
// then onnxruntime opens and runs on the recorded inputs (Compare), so
// that the two models' weights are never in memory at once.
func magentaParity(c *ucli.Context, b *model.Bundle, src string) (*generate.ParityReport, error) {
	defer debug.FreeOSMemory()
	nat, err := native.Open(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	rec, err := generate.RecordParity(nat, 2, 1)
	nat.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	debug.FreeOSMemory()
	ort, err := runtime.OpenBackend(b, runtime.Options{LibPath: c.String("ort-lib"), Threads: c.Int("threads"), NoPrepacking: true, ReleaseFull: true})
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	defer ort.Close()
	debug.FreeOSMemory()
	rep, err := rec.Compare(ort)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	return rep, nil
}
