// Package serve is `mvae serve`: a JSON HTTP API over loaded models
// (sample, encode, decode, interpolate, similar, MIDI), with Prometheus
// metrics, a health check and a web page mounted at /.
//
// A Model is shared by every request: the calls into it take turns (a
// musicvae.Model may not be called from several goroutines at once), and
// concurrent sample requests of one model are merged into one batch by a
// batcher goroutine with a bounded queue.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing/fstest"
	"time"
)

// Limits bound what one request may ask for.
type Limits struct {
	MaxBody    int64         // bytes of a request body
	MaxN       int           // sequences of a sample, decode or similar
	MaxSteps   int           // steps of an interpolation (2 corners)
	MaxGrid    int           // sequences of a 4-corner interpolation (steps²)
	MaxWindows int           // windows an encode returns, or /api/midi writes
	Timeout    time.Duration // of every API request
	Queue      int           // sample requests waiting for a batch, per model; and other calls waiting for a model
	Window     time.Duration // how long a batcher waits for more requests (< 0: not at all)
	MaxBatch   int           // sequences of one batch
}

// DefaultLimits are the limits of `mvae serve`.
var DefaultLimits = Limits{
	MaxBody: 1 << 20, MaxN: 64, MaxSteps: 64, MaxGrid: 256, MaxWindows: 64,
	Timeout: 30 * time.Second, Queue: 256, Window: 2 * time.Millisecond, MaxBatch: 16,
}

// fill gives each zero limit its default.
func (l *Limits) fill() {
	d := DefaultLimits
	orDefault(&l.MaxBody, d.MaxBody)
	orDefault(&l.MaxN, d.MaxN)
	orDefault(&l.MaxSteps, d.MaxSteps)
	orDefault(&l.MaxGrid, d.MaxGrid)
	orDefault(&l.MaxWindows, d.MaxWindows)
	orDefault(&l.Timeout, d.Timeout)
	orDefault(&l.Queue, d.Queue)
	orDefault(&l.MaxBatch, d.MaxBatch)
	if l.Window < 0 {
		l.Window = 0 // no waiting: a batch is what queued while the last one ran
	} else if l.Window == 0 {
		l.Window = d.Window
	}
}

func orDefault[T int | int64 | time.Duration](v *T, d T) {
	if *v <= 0 {
		*v = d
	}
}

// Timeouts of the HTTP server, against slow clients (slowloris).
type Timeouts struct {
	ReadHeader, Read, Write, Idle, Shutdown time.Duration
}

// fill gives each zero timeout its default.
func (t *Timeouts) fill() {
	d := DefaultTimeouts
	orDefault(&t.ReadHeader, d.ReadHeader)
	orDefault(&t.Read, d.Read)
	orDefault(&t.Write, d.Write)
	orDefault(&t.Idle, d.Idle)
	orDefault(&t.Shutdown, d.Shutdown)
}

// DefaultTimeouts are the timeouts of `mvae serve`.
var DefaultTimeouts = Timeouts{
	ReadHeader: 5 * time.Second, Read: 30 * time.Second, Write: 60 * time.Second,
	Idle: 60 * time.Second, Shutdown: 60 * time.Second,
}

// Options configure a Server. Zero fields take their defaults.
type Options struct {
	Models   []*Model // the first is the default model
	Page     fs.FS    // the web page served at /; nil: a placeholder
	CORS     string   // an origin allowed to call the API; "": none (same origin only)
	Logger   *slog.Logger
	Limits   Limits
	Timeouts Timeouts
}

// Server serves models over HTTP.
type Server struct {
	opts    Options
	lim     Limits
	models  map[string]*Model
	order   []*Model
	met     *metrics
	handler http.Handler
	log     *slog.Logger
	closing atomic.Bool
	// started and answered count the API requests a handler took and
	// answered (the shutdown test checks none is lost).
	started, answered atomic.Int64
}

// placeholder is the page until a web page is given.
var placeholder = fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>mvae serve</title><p>mvae serve: the API is at /api/models.</p>\n")}}

// New makes a server of opts.Models and starts their batchers; Close stops
// them.
func New(opts Options) (*Server, error) {
	if len(opts.Models) == 0 {
		return nil, errors.New("serve: no model to serve")
	}
	s := &Server{opts: opts, lim: opts.Limits, models: map[string]*Model{}, met: newMetrics(), log: opts.Logger}
	s.lim.fill()
	s.opts.Timeouts.fill()
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.opts.Page == nil {
		s.opts.Page = placeholder
	}
	for _, m := range opts.Models {
		if _, dup := s.models[m.Name]; dup {
			return nil, fmt.Errorf("serve: two models named %q", m.Name)
		}
		if m.b != nil {
			return nil, fmt.Errorf("serve: model %q is served already", m.Name)
		}
		s.models[m.Name] = m
		s.order = append(s.order, m)
	}
	for _, m := range s.order {
		m.b = newBatcher(m, s.lim.Queue, s.lim.Window, s.lim.MaxBatch, s.met)
	}
	s.handler = s.routes()
	return s, nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops the batchers (requests still queued are answered first). Call
// it once no request is being served (after http.Server.Shutdown).
func (s *Server) Close() {
	s.closing.Store(true)
	for _, m := range s.order {
		if m.b != nil {
			m.b.stop()
			m.b = nil
		}
	}
}

// HTTPServer is an http.Server of the handler with the timeouts.
func (s *Server) HTTPServer() *http.Server {
	t := s.opts.Timeouts
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve serves on ln until ctx ends, then shuts down gracefully: the
// listener closes, requests in flight finish (up to the shutdown timeout),
// and the batchers stop. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String(), "models", len(s.order))
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	s.closing.Store(true) // /healthz answers 503 while the requests in flight finish
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeouts.Shutdown)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.log.Warn("serve", "err", err)
	}
	s.Close()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// Answered reports how many API requests a handler took, and how many it
// answered.
func (s *Server) Answered() (started, answered int64) {
	return s.started.Load(), s.answered.Load()
}
