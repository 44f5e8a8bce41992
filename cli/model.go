package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/importer"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/model/defaultmodel"
	"github.com/musicvae-go/mvae/native"
	"github.com/musicvae-go/mvae/runtime"
)

var (
	modelFlag   = &ucli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "a bundle (`NAME.mvae`, see mvae import) or an .onnx/.pt to import on the fly (default: the embedded model)"}
	runtimeFlag = &ucli.StringFlag{Name: "runtime", Value: "native", Usage: "native (pure Go) or ort (onnxruntime)"}
	threadsFlag = &ucli.IntFlag{Name: "threads", Usage: "onnxruntime threads per graph (0: its default)"}
)

// ErrNoDefaultModel is returned when no --model is given and the binary has
// no embedded model.
var ErrNoDefaultModel = errors.New("no --model given, and this build has no embedded default model")

// defaultBundle returns the model used when --model is omitted.
var defaultBundle = defaultmodel.Bundle

// loadBundle reads --model: a bundle, or an ONNX/.pt file imported in memory.
func loadBundle(c *ucli.Context) (*model.Bundle, string, error) {
	p := c.String("model")
	if p == "" {
		if defaultBundle == nil {
			return nil, "", ErrNoDefaultModel
		}
		b, err := defaultBundle()
		return b, "the embedded default model", err
	}
	ext := strings.ToLower(filepath.Ext(p))
	if importer.IsMagentaDir(p) {
		ext = "magenta.js"
	}
	switch ext {
	case ".onnx", ".pt", ".pth", "magenta.js":
		r, err := importer.File(p, importer.Options{})
		if err != nil {
			return nil, "", err
		}
		for _, n := range r.Notes {
			logf("%s: %s", p, n)
		}
		logf("%s: imported in memory (use `mvae import` to make a verified bundle)", p)
		// No graphs: onnxruntime builds them from the weights when it runs.
		b, _, err := r.Bundle(false)
		return b, p, err
	}
	b, err := model.ReadBundleFile(p)
	return b, p, err
}

// openBackend opens the bundle on the runtime --runtime names; decodeOnly:
// for a command that never encodes (onnxruntime leaves the encoder out).
func openBackend(c *ucli.Context, b *model.Bundle, decodeOnly bool) (generate.Backend, error) {
	switch rt := c.String("runtime"); rt {
	case "ort":
		return runtime.OpenBackend(b, runtime.Options{LibPath: c.String("ort-lib"), Threads: c.Int("threads"), DecodeOnly: decodeOnly})
	case "native":
		w, err := b.Weights()
		if err != nil {
			return nil, err
		}
		return native.New(b.Config(), w)
	default:
		return nil, fmt.Errorf("unknown --runtime %q (want ort or native)", rt)
	}
}

// modelBackend loads --model and opens it.
func modelBackend(c *ucli.Context) (generate.Backend, *model.Bundle, error) {
	return openModel(c, false)
}

// decoderBackend is modelBackend for commands that only decode (generate,
// decode): onnxruntime loads no encoder (for Magenta's big models, most of
// the weights).
func decoderBackend(c *ucli.Context) (generate.Backend, *model.Bundle, error) {
	return openModel(c, true)
}

func openModel(c *ucli.Context, decodeOnly bool) (generate.Backend, *model.Bundle, error) {
	b, name, err := loadBundle(c)
	if err != nil {
		return nil, nil, err
	}
	be, err := openBackend(c, b, decodeOnly)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return be, b, nil
}
