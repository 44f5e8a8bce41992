package serve

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// statusWriter records the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// apiFunc is an API handler: it answers, or returns the error to answer.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

// routes builds the server's handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	api := func(route, method string, f apiFunc) {
		mux.Handle(route, s.wrap(route, method, true, f))
	}
	api("/api/models", http.MethodGet, s.handleModels)
	api("/api/sample", http.MethodPost, s.handleSample)
	api("/api/encode", http.MethodPost, s.handleEncode)
	api("/api/decode", http.MethodPost, s.handleDecode)
	api("/api/interpolate", http.MethodPost, s.handleInterpolate)
	api("/api/similar", http.MethodPost, s.handleSimilar)
	api("/api/midi", http.MethodPost, s.handleMIDI)
	api("/api/", "", func(w http.ResponseWriter, r *http.Request) error {
		return notFound("no API endpoint %s", r.URL.Path)
	})
	mux.Handle("/healthz", s.wrap("/healthz", http.MethodGet, false, func(w http.ResponseWriter, r *http.Request) error {
		if s.closing.Load() {
			return errShutdown
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "models": len(s.order)})
		return nil
	}))
	prom := promhttp.HandlerFor(s.met.reg, promhttp.HandlerOpts{})
	mux.Handle("/metrics", s.wrap("/metrics", http.MethodGet, false, func(w http.ResponseWriter, r *http.Request) error {
		prom.ServeHTTP(w, r)
		return nil
	}))
	page := http.FileServerFS(s.opts.Page)
	mux.Handle("/", s.wrap("/", http.MethodGet, false, func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		page.ServeHTTP(w, r)
		return nil
	}))
	return mux
}

// wrap adds to f what every route does: the method check, CORS, the body
// limit, the request timeout, the JSON error, metrics and the log line.
func (s *Server) wrap(route, method string, isAPI bool, f apiFunc) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		w := &statusWriter{ResponseWriter: rw}
		if isAPI {
			s.started.Add(1)
		}
		s.met.inFlight.Inc()
		defer func() {
			s.met.inFlight.Dec()
			if isAPI {
				s.answered.Add(1)
			}
			code := w.status
			if code == 0 {
				code = http.StatusOK
			}
			d := time.Since(start)
			s.met.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
			s.met.latency.WithLabelValues(route).Observe(d.Seconds())
			s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", code,
				"duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
		}()
		if s.opts.CORS != "" && r.Header.Get("Origin") == s.opts.CORS {
			w.Header().Set("Access-Control-Allow-Origin", s.opts.CORS)
			w.Header().Set("Vary", "Origin")
			if r.Method == http.MethodOptions {
				w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
				w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
				w.Header().Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if method != "" && r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", method)
			writeError(w, &apiError{http.StatusMethodNotAllowed, codeMethod, r.Method + " " + r.URL.Path + ": want " + method})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.lim.MaxBody)
		ctx, cancel := context.WithTimeout(r.Context(), s.lim.Timeout)
		defer cancel()
		if err := f(w, r.WithContext(ctx)); err != nil {
			if ctx.Err() == context.DeadlineExceeded {
				if _, ok := err.(*apiError); !ok {
					err = errTimeout
				}
			}
			writeError(w, err)
		}
	})
}
