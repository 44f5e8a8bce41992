package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/npy"
)

// checkSeqs checks the shape of an answer and that each MIDI file parses.
func checkSeqs(t *testing.T, r seqsResponse, n, TD, Z int) {
	t.Helper()
	if len(r.Sequences) != n {
		t.Fatalf("%d sequences, want %d", len(r.Sequences), n)
	}
	for i, s := range r.Sequences {
		if len(s.Tokens) != TD || len(s.Z) != Z {
			t.Fatalf("sequence %d: %d tokens and %d z, want %d and %d", i, len(s.Tokens), len(s.Z), TD, Z)
		}
		if _, err := music.ParseMIDI(s.MIDI); err != nil {
			t.Fatalf("sequence %d: its MIDI does not parse: %v", i, err)
		}
	}
}

// TestEveryFamily serves every tiny family (as bundle files) and a
// magenta.js checkpoint folder from one server, and runs every endpoint on
// each.
func TestEveryFamily(t *testing.T) {
	dir := t.TempDir()
	fams := model.TinyFamilies()
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	var specs []Spec
	for _, n := range names {
		specs = append(specs, Spec{Name: n, Path: tinyBundle(t, dir, n)})
	}
	specs = append(specs, Spec{Name: "magenta_groove", Path: filepath.Join("..", "testdata", "magenta", "groove_4bar")})
	s := newServer(t, specs, nil, Options{})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	c := srv.Client()

	resp, err := c.Get(srv.URL + "/api/models")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Models []modelJSON `json:"models"`
	}
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Models) != len(specs) {
		t.Fatalf("/api/models lists %d models, want %d", len(list.Models), len(specs))
	}
	for _, mj := range list.Models {
		t.Run(mj.Name, func(t *testing.T) {
			m := s.models[mj.Name]
			cfg := m.m.Config()
			T, D, Z := cfg.T(), cfg.InputSize, cfg.ZSize
			if mj.Steps != T || mj.Depth != D || mj.ZSize != Z || mj.Representation != cfg.Representation {
				t.Fatalf("/api/models says %+v", mj)
			}
			code, data := post(t, c, srv.URL+"/api/sample", map[string]any{"model": mj.Name, "n": 2, "seed": 7, "temperature": 0.5})
			if code != http.StatusOK {
				t.Fatalf("sample: %d %s", code, data)
			}
			sample := decodeSeqs(t, data)
			checkSeqs(t, sample, 2, T*D, Z)
			if sample.Seed != 7 {
				t.Fatalf("sample answered seed %d, want 7", sample.Seed)
			}
			if _, again := post(t, c, srv.URL+"/api/sample", map[string]any{"model": mj.Name, "n": 2, "seed": 7, "temperature": 0.5}); !bytes.Equal(again, data) {
				t.Fatalf("the same seeded sample differs")
			}

			// encode: a raw MIDI body, and a multipart upload.
			mid := midiOf(t, cfg, 1)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/encode?model="+mj.Name, bytes.NewReader(mid))
			req.Header.Set("Content-Type", "audio/midi")
			enc := do(t, c, req, http.StatusOK)
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "x.mid")
			fw.Write(mid)
			mw.Close()
			req, _ = http.NewRequest(http.MethodPost, srv.URL+"/api/encode?model="+mj.Name, &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			enc2 := do(t, c, req, http.StatusOK)
			var e1, e2 encodeResponse
			json.Unmarshal(enc, &e1)
			json.Unmarshal(enc2, &e2)
			if len(e1.Sequences) == 0 || len(e1.Sequences[0].Z) != Z || len(e1.Sequences[0].Tokens) != T*D {
				t.Fatalf("encode: %.300s", enc)
			}
			if !slices.Equal(e1.Sequences[0].Z, e2.Sequences[0].Z) {
				t.Fatalf("a raw body and a multipart upload of one file encode differently")
			}

			// decode one vector (flat) and two (nested).
			code, data = post(t, c, srv.URL+"/api/decode", map[string]any{"model": mj.Name, "z": sample.Sequences[0].Z, "seed": 1})
			if code != http.StatusOK {
				t.Fatalf("decode: %d %s", code, data)
			}
			checkSeqs(t, decodeSeqs(t, data), 1, T*D, Z)
			code, data = post(t, c, srv.URL+"/api/decode", map[string]any{"model": mj.Name, "z": [][]float32{sample.Sequences[0].Z, sample.Sequences[1].Z}, "temperature": 0})
			if code != http.StatusOK {
				t.Fatalf("decode: %d %s", code, data)
			}
			checkSeqs(t, decodeSeqs(t, data), 2, T*D, Z)

			// interpolate: 2 corners of tokens, 4 corners of z.
			toks := [][]float32{e1.Sequences[0].Tokens, sample.Sequences[0].Tokens}
			code, data = post(t, c, srv.URL+"/api/interpolate", map[string]any{"model": mj.Name, "tokens": toks, "steps": 3, "mode": "lerp"})
			if code != http.StatusOK {
				t.Fatalf("interpolate: %d %s", code, data)
			}
			checkSeqs(t, decodeSeqs(t, data), 3, T*D, Z)
			zs := [][]float32{sample.Sequences[0].Z, sample.Sequences[1].Z, e1.Sequences[0].Z, sample.Sequences[0].Z}
			code, data = post(t, c, srv.URL+"/api/interpolate", map[string]any{"model": mj.Name, "z": zs, "steps": 2})
			if code != http.StatusOK {
				t.Fatalf("interpolate 4: %d %s", code, data)
			}
			grid := decodeSeqs(t, data)
			checkSeqs(t, grid, 4, T*D, Z)
			if !near(grid.Sequences[0].Z, zs[0]) || !near(grid.Sequences[3].Z, zs[3]) {
				t.Fatalf("the grid's corners are not the corners given")
			}

			code, data = post(t, c, srv.URL+"/api/similar", map[string]any{"model": mj.Name, "tokens": e1.Sequences[0].Tokens, "n": 2, "similarity": 1})
			if code != http.StatusOK {
				t.Fatalf("similar: %d %s", code, data)
			}
			sim := decodeSeqs(t, data)
			checkSeqs(t, sim, 2, T*D, Z)
			if !near(sim.Sequences[0].Z, e1.Sequences[0].Z) {
				t.Fatalf("similar at similarity 1 is not the sequence's own z")
			}

			req, _ = http.NewRequest(http.MethodPost, srv.URL+"/api/midi", strings.NewReader(`{"model":"`+mj.Name+`","bpm":90,"tokens":`+jsonOf(sample.Sequences[0].Tokens)+`}`))
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			midi, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "audio/midi" || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("midi: %s %v", resp.Status, resp.Header)
			}
			if !bytes.Equal(midi, sample.Sequences[0].MIDI) && cfg.Magenta == nil {
				// Same tokens, another tempo: the files differ, but both parse.
				if _, err := music.ParseMIDI(midi); err != nil {
					t.Fatalf("midi: %v", err)
				}
			}
		})
	}
}

func near(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-4 {
			return false
		}
	}
	return true
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// do sends req and checks its status.
func do(t *testing.T, c *http.Client, req *http.Request, want int) []byte {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s %.300s", req.Method, req.URL.Path, resp.Status, data)
	}
	return data
}

// TestBatchedSeedRepeats checks that the seed a batched (unseeded) sample
// answers repeats its sequences.
func TestBatchedSeedRepeats(t *testing.T) {
	s := tinyServer(t, Options{})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	out := make(chan seqsResponse, 8)
	for range 8 {
		go func() {
			_, data := post(t, srv.Client(), srv.URL+"/api/sample", `{"n":2,"temperature":0.7}`)
			var r seqsResponse
			json.Unmarshal(data, &r)
			out <- r
		}()
	}
	for range 8 {
		r := <-out
		if len(r.Sequences) != 2 {
			t.Fatalf("a sample answered %d sequences", len(r.Sequences))
		}
		code, data := post(t, srv.Client(), srv.URL+"/api/sample", map[string]any{"n": 2, "temperature": 0.7, "seed": r.Seed})
		if code != http.StatusOK {
			t.Fatal(code)
		}
		again := decodeSeqs(t, data)
		for i := range 2 {
			if !near(again.Sequences[i].Z, r.Sequences[i].Z) || !near(again.Sequences[i].Tokens, r.Sequences[i].Tokens) {
				t.Fatalf("seed %d does not repeat sequence %d of a batched sample", r.Seed, i)
			}
		}
	}
}

// TestBadRequests sends requests the API must refuse with a 4xx and a
// JSON error naming the problem.
func TestBadRequests(t *testing.T) {
	dir := t.TempDir()
	vec := filepath.Join(dir, "vec.npy")
	c := model.TinyFamilies()["groove_4bar"]
	a := npy.New(c.ZSize)
	a.Data[0] = 1
	if err := npy.WriteFile(vec, a); err != nil {
		t.Fatal(err)
	}
	hugeVec := filepath.Join(dir, "huge.npy")
	h := npy.New(c.ZSize)
	for i := range h.Data {
		h.Data[i] = 3e38
	}
	if err := npy.WriteFile(hugeVec, h); err != nil {
		t.Fatal(err)
	}
	s := newServer(t, []Spec{{Name: "groove", Path: tinyBundle(t, dir, "groove_4bar")}},
		[]AttributeSpec{{Name: "busy", Path: vec}, {Name: "huge", Path: hugeVec}}, Options{})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	TD := c.T() * c.InputSize
	zs := func(k, n int) [][]float32 {
		out := make([][]float32, k)
		for i := range out {
			out[i] = make([]float32, n)
		}
		return out
	}
	cases := []struct {
		path string
		body any
		code int
		err  string
	}{
		{"/api/sample", `{"n":`, 400, codeBadRequest},
		{"/api/sample", ``, 400, codeBadRequest},
		{"/api/sample", `{"n":1}{}`, 400, codeBadRequest},
		{"/api/sample", `{"nn":1}`, 400, codeBadRequest},
		{"/api/sample", `{"n":0}`, 400, codeBadRequest},
		{"/api/sample", `{"n":100000}`, 400, codeBadRequest},
		{"/api/sample", `{"temperature":-1}`, 400, codeBadRequest},
		{"/api/sample", `{"temperature":1e300}`, 400, codeBadRequest},
		{"/api/sample", `{"bpm":-5}`, 400, codeBadRequest},
		{"/api/sample", `{"model":"../../etc/passwd"}`, 404, codeNotFound},
		{"/api/sample", `{"attribute":"nope"}`, 404, codeNotFound},
		{"/api/sample", `{"attribute":"busy","amount":1e9}`, 400, codeBadRequest},
		{"/api/decode", map[string]any{"z": []float32{1, 2}}, 400, codeBadRequest},
		{"/api/decode", map[string]any{"z": zs(0, 0)}, 400, codeBadRequest},
		{"/api/decode", map[string]any{"z": zs(100, c.ZSize)}, 400, codeBadRequest},
		{"/api/decode", `{"z":"abc"}`, 400, codeBadRequest},
		{"/api/interpolate", map[string]any{"z": zs(3, c.ZSize)}, 400, codeBadRequest},
		{"/api/interpolate", map[string]any{"z": zs(2, c.ZSize), "tokens": zs(2, TD)}, 400, codeBadRequest},
		{"/api/interpolate", map[string]any{"z": zs(2, c.ZSize), "steps": 1}, 400, codeBadRequest},
		{"/api/interpolate", map[string]any{"z": zs(4, c.ZSize), "steps": 40}, 400, codeBadRequest},
		{"/api/interpolate", map[string]any{"z": zs(2, c.ZSize), "mode": "cubic"}, 400, codeBadRequest},
		{"/api/interpolate", map[string]any{"tokens": zs(2, TD-1)}, 400, codeBadRequest},
		{"/api/similar", map[string]any{"tokens": make([]float32, TD), "similarity": 2}, 400, codeBadRequest},
		{"/api/similar", map[string]any{"tokens": make([]float32, 3)}, 400, codeBadRequest},
		{"/api/midi", map[string]any{"tokens": make([]float32, TD+1)}, 400, codeBadRequest},
		{"/api/midi", map[string]any{"tokens": make([]float32, TD), "format": "wav"}, 400, codeBadRequest},
		{"/api/encode", "MThd garbage", 415, codeMediaType}, // post sends application/json
		{"/api/nothing", `{}`, 404, codeNotFound},
	}
	for _, tc := range cases {
		code, data := post(t, srv.Client(), srv.URL+tc.path, tc.body)
		if code != tc.code || errorCode(t, data) != tc.err {
			t.Errorf("%s %v: %d %s, want %d %s", tc.path, tc.body, code, data, tc.code, tc.err)
		}
	}
	resp, err := srv.Client().Get(srv.URL + "/api/sample")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" || errorCode(t, data) != codeMethod {
		t.Errorf("GET /api/sample: %s %s", resp.Status, data)
	}
	// A latent vector shifted past float32's range is refused, not a 500.
	big := make([]float32, c.ZSize)
	for i := range big {
		big[i] = 3e38
	}
	if code, data := post(t, srv.Client(), srv.URL+"/api/decode", map[string]any{"z": big, "attribute": "huge", "amount": 1}); code != 400 || errorCode(t, data) != codeBadRequest {
		t.Errorf("decode out of range: %d %s", code, data)
	}
	// The attribute, applied by name, works and is listed.
	code, data := post(t, srv.Client(), srv.URL+"/api/sample", `{"attribute":"busy","amount":2,"seed":3}`)
	if code != 200 {
		t.Fatalf("attribute: %d %s", code, data)
	}
	resp, _ = srv.Client().Get(srv.URL + "/api/models")
	data, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(data), `"attributes":["busy","huge"]`) {
		t.Errorf("/api/models does not list the attribute: %s", data)
	}
}

// TestCORS checks that CORS is closed unless an origin is given.
func TestCORS(t *testing.T) {
	for _, origin := range []string{"", "https://example.org"} {
		s := tinyServer(t, Options{CORS: origin})
		srv := httptest.NewServer(s.Handler())
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/models", nil)
		req.Header.Set("Origin", "https://example.org")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != origin {
			t.Errorf("--cors %q: Access-Control-Allow-Origin %q", origin, got)
		}
		req.Header.Set("Origin", "https://evil.example")
		resp, _ = srv.Client().Do(req)
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("--cors %q: another origin gets %q", origin, got)
		}
		srv.Close()
	}
}

// TestSpecs checks the NAME=PATH flags.
func TestSpecs(t *testing.T) {
	for _, bad := range []string{"", "x", "=a.mvae", "a b=x.mvae", "../x=y", "x="} {
		if _, err := ParseSpec(bad); err == nil {
			t.Errorf("ParseSpec(%q) accepted", bad)
		}
	}
	if s, err := ParseSpec("drums=dir/a=b.mvae"); err != nil || s != (Spec{"drums", "dir/a=b.mvae"}) {
		t.Errorf("ParseSpec: %v %v", s, err)
	}
	if a, err := ParseAttributeSpec("groove/busy=v.npy"); err != nil || a != (AttributeSpec{"groove", "busy", "v.npy"}) {
		t.Errorf("ParseAttributeSpec: %v %v", a, err)
	}
	if _, err := LoadModels([]Spec{{"a", filepath.Join(t.TempDir(), "missing.mvae")}}, nil); err == nil || !strings.Contains(err.Error(), "missing.mvae") {
		t.Errorf("a missing model: %v", err)
	}
}
