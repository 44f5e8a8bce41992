package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/runtime"
)

var (
	modelFlag   = &ucli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "groove or melody (the embedded models; default groove), a bundle (`NAME.mvae`, see mvae import), or an .onnx/.pt file or magenta.js folder to import on the fly"}
	runtimeFlag = &ucli.StringFlag{Name: "runtime", Value: "native", Usage: "native (pure Go) or ort (onnxruntime)"}
	threadsFlag = &ucli.IntFlag{Name: "threads", Usage: "onnxruntime threads per graph (0: its default)"}
	refineFlag  = &ucli.IntFlag{Name: "refine", Usage: "refine each encoded window's latent vector by `N` gradient steps on its reconstruction (pure Go, whatever --runtime): more faithful to the input, N decoder passes slower (0: the encoder's mu, as Magenta; 200 is a good start)"}
)

// loadBundle reads --model (musicvae.LoadBundle): a bundle, an ONNX/.pt
// file or magenta.js folder imported in memory, or the embedded model.
func loadBundle(c *ucli.Context) (*model.Bundle, string, error) {
	return musicvae.LoadBundle(c.String("model"), musicvae.WithLog(logf))
}

// modelRuntime is the runtime --runtime names. musicvae is pure Go; the
// onnxruntime backend (cgo) is wired here.
func modelRuntime(c *ucli.Context) (musicvae.Runtime, error) { return runtimeFor(c, false) }

// runtimeFor is modelRuntime; decodeOnly: for a command that never encodes
// (onnxruntime leaves the encoder out: for Magenta's big models, most of
// the weights).
func runtimeFor(c *ucli.Context, decodeOnly bool) (musicvae.Runtime, error) {
	switch rt := c.String("runtime"); rt {
	case "ort":
		o := runtime.Options{LibPath: c.String("ort-lib"), Threads: c.Int("threads"), DecodeOnly: decodeOnly}
		return func(b *model.Bundle) (generate.Backend, error) { return runtime.OpenBackend(b, o) }, nil
	case "native":
		return musicvae.Native, nil
	default:
		return nil, fmt.Errorf("unknown --runtime %q (want ort or native)", rt)
	}
}

// openBackend opens the bundle on the runtime --runtime names.
func openBackend(c *ucli.Context, b *model.Bundle) (generate.Backend, error) {
	rt, err := modelRuntime(c)
	if err != nil {
		return nil, err
	}
	return rt(b)
}

// modelBackend loads --model and opens it.
func modelBackend(c *ucli.Context) (generate.Backend, *model.Bundle, error) {
	m, err := openModel(c)
	if err != nil {
		return nil, nil, err
	}
	return m.Backend(), m.Bundle(), nil
}

// openModel loads --model and opens it on --runtime.
func openModel(c *ucli.Context) (*musicvae.Model, error) { return openModelFor(c, false) }

// decoderModel is openModel for commands that only decode (generate,
// decode).
func decoderModel(c *ucli.Context) (*musicvae.Model, error) { return openModelFor(c, true) }

func openModelFor(c *ucli.Context, decodeOnly bool) (*musicvae.Model, error) {
	rt, err := runtimeFor(c, decodeOnly)
	if err != nil {
		return nil, err
	}
	b, name, err := loadBundle(c)
	if err != nil {
		return nil, err
	}
	opts := []musicvae.Option{musicvae.WithRuntime(rt)}
	if n := c.Int("refine"); n > 0 {
		opts = append(opts, musicvae.WithRefine(n, 0))
	}
	return musicvae.Open(b, name, opts...)
}
