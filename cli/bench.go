package cli

import (
	"errors"
	"fmt"
	rt "runtime"
	"strconv"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/bench"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/runtime"
)

func benchCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "bench",
		Usage: "measure generation (or training) speed and memory on both runtimes, side by side",
		Description: "Generates batches of sequences from the prior (temperature 1) with each runtime at each\n" +
			"batch size and reports sequences a second, milliseconds a decoder step (sampling excluded),\n" +
			"the peak resident memory, native's speed over each other runtime's, and, next to native's\n" +
			"step at batch 1, the step time memory bandwidth allows (the weights a step reads over this\n" +
			"machine's memcpy bandwidth). onnxruntime runs on every CPU with every graph optimisation, its\n" +
			"idle threads sleeping (--ort-spin: spinning, its default).\n" +
			"--preset builds a model with random weights in memory: small (groove; encoder 192x2, z 64,\n" +
			"conductor 128x1, decoder 160x2) or seed (groove; encoder 2048x2, z 512, conductor 1024x2,\n" +
			"decoder 1024x2, 16 segments: about 175M parameters). --train times native training steps.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "a bundle (`NAME.mvae`) or an .onnx/.pt to import on the fly"},
			&ucli.StringFlag{Name: "preset", Usage: "a model with random weights: `small` or seed (default: small, when no --model)"},
			&ucli.StringFlag{Name: "batch", Value: "1,16,64", Usage: "batch sizes, separated by commas"},
			&ucli.StringFlag{Name: "runtime", Value: "native,ort", Usage: "runtimes, separated by commas: native, ort (by default ort is left out where it is not available)"},
			&ucli.StringFlag{Name: "precision", Value: "f32", Usage: "weight precisions of the native runtime, separated by commas: f32, bf16, int8, f16 (the float32 weights rounded; onnxruntime runs f32)"},
			&ucli.BoolFlag{Name: "train", Usage: "time training steps (forward, backward, clipping, Adam; native only) instead of generation"},
			&ucli.IntFlag{Name: "steps", Usage: "time at most N runs a runtime and batch (0: no bound)"},
			&ucli.Float64Flag{Name: "seconds", Value: 2, Usage: "time about N seconds a runtime and batch (0: no bound; with --steps 0 too, one run)"},
			&ucli.IntFlag{Name: "threads", Usage: "onnxruntime threads (0: every CPU)"},
			&ucli.BoolFlag{Name: "ort-spin", Usage: "let onnxruntime's idle threads spin (its default; mvae bench makes them sleep, faster where other work shares the cores)"},
			&ucli.Uint64Flag{Name: "seed", Usage: "random seed of the preset's weights and of the samples"},
			jsonFlag,
		},
		Action: runBench,
	}
}

// parseBatches reads --batch: whole numbers within the batch rule.
func parseBatches(s string) ([]int, error) {
	r, _ := ruleFor("bench", "batch")
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		v, err := strconv.Atoi(f)
		if err != nil || !r.ok(float64(v)) {
			return nil, fmt.Errorf("invalid value %q in --batch: want %s (several separated by commas)", f, r.want(true))
		}
		out = append(out, v)
	}
	return out, nil
}

func runBench(c *ucli.Context) error {
	var precs []model.Precision
	for _, f := range strings.Split(c.String("precision"), ",") {
		p, err := model.ParsePrecision(f)
		if err != nil {
			return fmt.Errorf("--precision: %v", err)
		}
		if p != model.F32 && c.Bool("train") {
			return fmt.Errorf("--precision %s: training runs in float32 only", f)
		}
		precs = append(precs, p)
	}
	batches, err := parseBatches(c.String("batch"))
	if err != nil {
		return err
	}
	var rts []string
	for _, r := range strings.Split(c.String("runtime"), ",") {
		r = strings.TrimSpace(r)
		if r != bench.Native && r != bench.ORT {
			return fmt.Errorf("unknown runtime %q in --runtime (want native, ort or both: native,ort)", r)
		}
		rts = append(rts, r)
	}
	if !c.IsSet("runtime") {
		// The default leaves out what cannot run here, saying so.
		if c.Bool("train") {
			logf("bench: onnxruntime does not train: native alone")
			rts = []string{bench.Native}
		} else if _, err := runtime.Init(c.String("ort-lib")); errors.Is(err, runtime.ErrUnavailable) {
			logf("bench: %v; native alone", err)
			rts = []string{bench.Native}
		}
	}
	var b *model.Bundle
	name := c.String("preset")
	switch {
	case name != "" && c.String("model") != "":
		return fmt.Errorf("give --model or --preset, not both")
	case c.String("model") != "":
		if b, name, err = loadBundle(c); err != nil {
			return err
		}
	default:
		if name == "" {
			name = "small"
		}
		cfg, err := bench.Preset(name)
		if err != nil {
			return err
		}
		logf("bench: building preset %s with random weights (%d parameters)", name, cfg.NumParams())
		if b, err = bench.RandomBundle(cfg, c.Uint64("seed")); err != nil {
			return err
		}
	}
	logf("bench: %s: %s; %d CPUs", name, b.Config().Network(), rt.NumCPU())
	recs, err := bench.Run(bench.Options{Bundle: b, Model: name, Batches: batches, Runtimes: rts, Precisions: precs,
		Train: c.Bool("train"), Steps: c.Int("steps"), Seconds: c.Float64("seconds"), Threads: c.Int("threads"), ORTSpin: c.Bool("ort-spin"),
		LibPath: c.String("ort-lib"), Seed: c.Uint64("seed"), Log: logf, Progress: newProgress("bench").cells})
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, recs)
	}
	return bench.WriteTable(c.App.Writer, recs)
}
