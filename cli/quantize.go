package cli

import (
	"fmt"
	"math/rand/v2"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/native"
)

// precisionFlag is the precision quantize and import store weights in.
var precisionFlag = &ucli.StringFlag{Name: "precision", Usage: "store the weight matrices as f32, bf16 (bfloat16), int8 (one float32 scale a row) or f16 (float16, every tensor: as --half)"}

func quantizeCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "quantize",
		Usage:     "store a bundle's weights below float32 (bfloat16, int8, float16) for faster, smaller native inference",
		ArgsUsage: "[NAME.mvae]",
		Description: "Writes the bundle (default: the embedded model) with its weight matrices rounded to --precision:\n" +
			"bf16 keeps float32's range with 8 bits of mantissa; int8 stores each row as int8 times one float32\n" +
			"scale (max |w| / 127); f16 is IEEE half, every tensor (as import --half). Biases stay float32.\n" +
			"The native runtime keeps the weights so in memory and widens them inside its products (float32\n" +
			"sums; bf16 on a CPU with AVX-512 BF16 rounds the activations to bfloat16 too, for VDPBF16PS):\n" +
			"at batch 1 a decode step reads half (bf16, f16) or a quarter (int8) of the bytes.\n" +
			"onnxruntime widens them to float32 when it loads the bundle (no speed or memory gain there).\n" +
			"Such a bundle cannot be fine-tuned; --precision f32 widens it back (the rounding stays).\n" +
			"--report measures the quantized model against the float32 one: logit differences and the share\n" +
			"of tokens at temperature 0 that agree, on the windows of --data (a .npz, .npy, or MIDI folder;\n" +
			"hold-out data the model never trained on) or on random windows.",
		Flags: []ucli.Flag{
			modelFlag,
			&ucli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "the bundle to write (`OUT.mvae`)", Required: true},
			precisionFlag,
			&ucli.BoolFlag{Name: "report", Usage: "measure the quantized model against float32 (see above)"},
			&ucli.StringFlag{Name: "data", Usage: "--report's windows: a `DATA.npz`, .npy, or a folder of MIDI files"},
			&ucli.IntFlag{Name: "windows", Value: 512, Usage: "--report on at most this many windows"},
			&ucli.IntFlag{Name: "batch", Value: 64, Usage: "--report's batch"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "--report's random windows (without --data)"},
			jsonFlag,
		},
		Action: runQuantize,
	}
}

func runQuantize(c *ucli.Context) error {
	if c.NArg() > 1 {
		return fmt.Errorf("quantize takes one bundle")
	}
	if !c.IsSet("precision") {
		return fmt.Errorf("quantize needs --precision (f32, bf16, int8 or f16)")
	}
	p, err := model.ParsePrecision(c.String("precision"))
	if err != nil {
		return fmt.Errorf("--precision: %v", err)
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
	qb, err := model.Quantize(b, p) // its errors name the file
	if err != nil {
		return err
	}
	var report *generate.PrecisionReport
	if c.Bool("report") {
		if report, err = precisionReport(c, b, qb); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
	}
	out := c.String("output")
	if err := model.WriteBundleFile(out, qb, false); err != nil {
		return err
	}
	sw, err := qb.Stored()
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, map[string]any{"output": out, "precision": p.Short(), "weights_bytes": sw.Bytes(), "report": report})
	}
	if report != nil {
		fmt.Fprintf(c.App.Writer, "%s against float32: %v\n", p, report)
	}
	logf("wrote %s: weights stored as %s (%d bytes in memory)", out, p, sw.Bytes())
	return nil
}

// precisionReport measures qb against b's float32 weights.
func precisionReport(c *ucli.Context, b, qb *model.Bundle) (*generate.PrecisionReport, error) {
	cfg := b.Config()
	w, err := b.Weights()
	if err != nil {
		return nil, err
	}
	ref, err := native.New(cfg, w)
	if err != nil {
		return nil, err
	}
	test, err := native.Open(qb)
	if err != nil {
		return nil, err
	}
	var x []float32
	n := c.Int("windows")
	if d := c.String("data"); d != "" {
		ws, err := windowsFrom(cfg, []string{d}, false)
		if err != nil {
			return nil, err
		}
		if ws.N == 0 {
			return nil, fmt.Errorf("--data %s holds no windows", d)
		}
		n = min(n, ws.N)
		x = ws.Data[:n*cfg.T()*cfg.InputSize]
		logf("report on %d windows of %s", n, d)
	} else {
		x = generate.RandomWindows(cfg, n, rand.New(rand.NewPCG(c.Uint64("seed"), 1)))
		logf("report on %d random windows (give --data for real music)", n)
	}
	return generate.ComparePrecision(ref, test, x, n, c.Int("batch"))
}
