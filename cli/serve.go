package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	ucli "github.com/urfave/cli/v2"

	"github.com/musicvae-go/mvae/internal/fsutil"
	"github.com/musicvae-go/mvae/model/embedded"
	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/serve"
)

// serveCommand is `mvae serve`: the HTTP API and the web page (package serve).
func serveCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "serve",
		Usage: "serve models over HTTP: a JSON API (/api/...), /healthz, /metrics and a web page at /",
		Description: "Each --model NAME=PATH serves a model (a bundle, an .onnx/.pt file or a magenta.js folder;\n" +
			"PATH groove or melody (or \"default\") is an embedded model); without one, both embedded models\n" +
			"are served, as \"groove\" (the default) and \"melody\".\n" +
			"--attribute [MODEL/]NAME=VEC.npy offers an attribute vector by name. Loopback by default;\n" +
			"SIGINT or SIGTERM shuts down gracefully (requests in flight finish).",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "`HOST:PORT` to listen on (0.0.0.0:8080 for every interface)"},
			&ucli.StringSliceFlag{Name: "model", Aliases: []string{"m"}, Usage: "`NAME=PATH` of a model to serve (repeatable; the first is the default model)"},
			&ucli.StringSliceFlag{Name: "attribute", Usage: "`[MODEL/]NAME=VEC.npy`: an attribute vector requests may apply by name (repeatable)"},
			&ucli.StringFlag{Name: "cors", Usage: "an `ORIGIN` (https://host:port) allowed to call the API from another site (default: none)"},
			runtimeFlag, threadsFlag,
		},
		Action: runServe,
	}
}

// checkAddr checks a HOST:PORT listen address.
func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v (want HOST:PORT, e.g. 127.0.0.1:8080)", addr, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("--addr %q: port %q is not a number in [0, 65535]", addr, port)
	}
	return nil
}

func runServe(c *ucli.Context) error {
	if err := checkAddr(c.String("addr")); err != nil {
		return usage(err)
	}
	var specs []serve.Spec
	for _, s := range c.StringSlice("model") {
		sp, err := serve.ParseSpec(s)
		if err != nil {
			return fmt.Errorf("--model %w", err)
		}
		specs = append(specs, sp)
	}
	if len(specs) == 0 {
		for _, n := range embedded.Names() {
			specs = append(specs, serve.Spec{Name: n, Path: n})
		}
	}
	var attrs []serve.AttributeSpec
	for _, s := range c.StringSlice("attribute") {
		a, err := serve.ParseAttributeSpec(s)
		if err != nil {
			return fmt.Errorf("--attribute %w", err)
		}
		attrs = append(attrs, a)
	}
	rt, err := modelRuntime(c)
	if err != nil {
		return err
	}
	models, err := serve.LoadModels(specs, attrs, musicvae.WithRuntime(rt), musicvae.WithLog(logf))
	if err != nil {
		return err
	}
	defer func() {
		for _, m := range models {
			m.Close()
		}
	}()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv, err := serve.New(serve.Options{Models: models, Page: pageFS(), CORS: c.String("cors"), Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.String("addr"))
	if err != nil {
		srv.Close()
		return fmt.Errorf("--addr: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fsutil.KeepSignals() // serve shuts down gracefully, and leaves no temporary file
	fmt.Fprintf(c.App.ErrWriter, "mvae serve: http://%s/ (%d model(s)); Ctrl-C stops\n", ln.Addr(), len(models))
	return srv.Serve(ctx, ln)
}
