package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/musicvae-go/mvae/generate"
	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// tinyBundle writes a tiny family's bundle (random weights) to dir and
// returns its path.
func tinyBundle(t testing.TB, dir, family string) string {
	t.Helper()
	c, ok := model.TinyFamilies()[family]
	if !ok {
		t.Fatalf("no tiny family %q", family)
	}
	b, err := model.RandomBundle(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, family+".mvae")
	if err := model.WriteBundleFile(p, b, false); err != nil {
		t.Fatal(err)
	}
	return p
}

// midiOf is a MIDI file of random windows of c (every window holds notes).
func midiOf(t testing.TB, c *model.Config, seed uint64) []byte {
	t.Helper()
	x := generate.RandomWindows(c, 1, rand.New(rand.NewPCG(seed, 8)))
	var buf bytes.Buffer
	if err := music.WindowToMIDI(&buf, x, c.WriteOptions()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// newServer loads specs and makes a server of them, closed at cleanup.
func newServer(t testing.TB, specs []Spec, attrs []AttributeSpec, o Options) *Server {
	t.Helper()
	models, err := LoadModels(specs, attrs)
	if err != nil {
		t.Fatal(err)
	}
	o.Models = models
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		for _, m := range models {
			m.Close()
		}
	})
	return s
}

// tinyServer serves the tiny groove family as "groove".
func tinyServer(t testing.TB, o Options) *Server {
	t.Helper()
	return newServer(t, []Spec{{Name: "groove", Path: tinyBundle(t, t.TempDir(), "groove_4bar")}}, nil, o)
}

// listen serves s on a loopback port until the returned stop is called;
// stop waits for Serve to return and gives its error.
func listen(t testing.TB, s *Server) (base string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	stopped := false
	var serr error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			serr = <-done
		}
		return serr
	}
	t.Cleanup(func() { stop() })
	return "http://" + ln.Addr().String(), stop
}

// post sends a JSON body and returns the status and the body.
func post(t testing.TB, c *http.Client, url string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	resp, err := c.Post(url, "application/json", r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// decodeSeqs parses an answer with sequences.
func decodeSeqs(t testing.TB, data []byte) seqsResponse {
	t.Helper()
	var r seqsResponse
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%v: %.200s", err, data)
	}
	return r
}

// errorCode parses a JSON error.
func errorCode(t testing.TB, data []byte) string {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(data, &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
		t.Fatalf("not a JSON error (%v): %.200s", err, data)
	}
	return b.Error.Code
}

// healthy checks that the server still answers /healthz and a sample.
func healthy(t testing.TB, base string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %s", resp.Status)
	}
	if code, data := post(t, c, base+"/api/sample", `{"n":1}`); code != http.StatusOK {
		t.Fatalf("sample: %d %.200s", code, data)
	}
}

// isRefusal reports whether a client error is the connection refused or
// cut before an answer (never a request the server took: the shutdown test
// counts those on the server side).
func isRefusal(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		strings.Contains(err.Error(), "connection reset") ||
		strings.Contains(err.Error(), "server closed")
}
