package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/native"
	"github.com/musicvae-go/mvae/runtime"
)

func parityCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "parity",
		Usage: "run the native and onnxruntime runtimes on the same random inputs and compare",
		Description: "Prints, per graph, the largest absolute and relative difference, and whether sequences\n" +
			"sampled at temperatures 0, 0.5 and 1 agree. Exits with status 1 when any largest absolute\n" +
			"difference is above 1e-4 or any sampled hit or class differs. The relative difference\n" +
			"(|a-b| / max(|a|,|b|), over values of magnitude 1e-3 or more) is shown for information only.\n" +
			"Native widens bfloat16 weights here, keeping activations float32, even on a CPU with AVX-512\n" +
			"BF16 where generation rounds them to bfloat16 (mvae quantize --report measures that).",
		Flags: []ucli.Flag{modelFlag, threadsFlag,
			&ucli.IntFlag{Name: "batch", Value: 4, Usage: "sequences per check"},
			&ucli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the random inputs and the sampler"},
			jsonFlag},
		Action: runParity,
	}
}

func runParity(c *ucli.Context) error {
	b, name, err := loadBundle(c)
	if err != nil {
		return err
	}
	// Native keeps weights stored below float32 so (its products widen
	// them); onnxruntime widens them at load: parity checks the kernels.
	// bfloat16 widened too, not by VDPBF16PS (which rounds x as well:
	// mvae quantize --report measures that).
	nb, err := native.OpenWidened(b)
	if err != nil {
		if b.Name() == "" {
			err = fmt.Errorf("%s: %w", name, err)
		}
		return err
	}
	ob, err := runtime.OpenBackend(b, runtime.Options{LibPath: c.String("ort-lib"), Threads: c.Int("threads")})
	if err != nil {
		if b.Name() == "" { // a bundle read from a file names it in its errors
			err = fmt.Errorf("%s: %w", name, err)
		}
		return err
	}
	defer ob.Close()
	B := c.Int("batch")
	if B < 1 || B > 4096 {
		return fmt.Errorf("--batch must be 1..4096, got %d", B)
	}
	rep, err := generate.Parity(nb, ob, B, c.Uint64("seed"))
	if err != nil {
		return err
	}
	if c.Bool("json") {
		if err := writeJSON(c.App.Writer, map[string]any{"model": name, "tolerance": generate.ParityTolerance, "report": rep}); err != nil {
			return err
		}
	} else {
		w := c.App.Writer
		fmt.Fprintf(w, "parity of %s: native vs onnxruntime, batch %d, seed %d\n", name, B, rep.Seed)
		fmt.Fprintf(w, "%-26s %-7s %12s %12s  %s\n", "graph", "output", "max abs", "max rel", "max abs ≤ tol")
		for _, r := range rep.Rows {
			mark := "ok"
			if !r.OK {
				mark = "FAIL"
			}
			fmt.Fprintf(w, "%-26s %-7s %12.3g %12.3g  %s\n", r.Graph, r.Output, r.MaxAbs, r.MaxRel, mark)
		}
		fmt.Fprintf(w, "tol: %g, on the max abs difference (max rel is shown for information)\n", generate.ParityTolerance)
		if rep.TokensAgree {
			fmt.Fprintf(w, "sampled tokens (temperatures 0, 0.5, 1): identical\n")
		} else {
			fmt.Fprintf(w, "sampled tokens differ: %s\n", rep.TokenDetails)
		}
	}
	if !rep.OK {
		return fmt.Errorf("parity: an absolute difference above the tolerance %g, or sampled tokens that differ", generate.ParityTolerance)
	}
	return nil
}
