package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/web"
)

// apiServer is the JSON API the page expects (/work/notes/w-expect.md),
// computed by the real model through musicvae: the page's tests run against
// it until `mvae serve` (branch s) lands, then against that.
func apiServer(t testing.TB, m *musicvae.Model) http.Handler {
	c := m.Config()
	T, D := c.T(), c.InputSize
	type seq struct {
		Tokens []float32 `json:"tokens"`
		Z      []float32 `json:"z"`
	}
	answer := func(w http.ResponseWriter, s *musicvae.Sequences) {
		out := struct {
			Sequences []seq `json:"sequences"`
		}{}
		for i := range s.N {
			out.Sequences = append(out.Sequences, seq{s.Sequence(i), s.Latent(i)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	}
	fail := func(w http.ResponseWriter, err error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "bad_request", "message": err.Error()}})
	}
	type req struct {
		Temperature float64     `json:"temperature"`
		Seed        uint64      `json:"seed"`
		Z           [][]float32 `json:"z"`
		Tokens      [][]float32 `json:"tokens"`
		Steps       int         `json:"steps"`
		N           int         `json:"n"`
		Similarity  float64     `json:"similarity"`
		BPM         float64     `json:"bpm"`
	}
	post := func(f func(w http.ResponseWriter, r req) error) http.HandlerFunc {
		return func(w http.ResponseWriter, hr *http.Request) {
			var r req
			if err := json.NewDecoder(hr.Body).Decode(&r); err != nil {
				fail(w, err)
				return
			}
			if err := f(w, r); err != nil {
				fail(w, err)
			}
		}
	}
	opts := func(r req) musicvae.Options { return musicvae.Options{Temperature: r.Temperature, Seed: r.Seed} }
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(web.FS()))
	mux.HandleFunc("GET /api/models", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"models": []map[string]any{{
			"name": m.Name(), "representation": c.Representation, "steps": T, "depth": D, "z_size": c.ZSize,
			"steps_per_quarter": c.StepsPerQuarter, "bars": c.Bars, "attributes": []string{},
		}}})
	})
	mux.HandleFunc("POST /api/sample", post(func(w http.ResponseWriter, r req) error {
		s, err := m.Sample(max(r.N, 1), opts(r))
		if err == nil {
			answer(w, s)
		}
		return err
	}))
	mux.HandleFunc("POST /api/decode", post(func(w http.ResponseWriter, r req) error {
		s, err := m.Decode(concat(r.Z), opts(r))
		if err == nil {
			answer(w, s)
		}
		return err
	}))
	mux.HandleFunc("POST /api/interpolate", post(func(w http.ResponseWriter, r req) error {
		s, err := m.InterpolateLatents(r.Z, r.Steps, musicvae.Slerp, opts(r))
		if err == nil {
			answer(w, s)
		}
		return err
	}))
	mux.HandleFunc("POST /api/similar", post(func(w http.ResponseWriter, r req) error {
		s, err := m.Similar(concat(r.Tokens), max(r.N, 1), r.Similarity, opts(r))
		if err == nil {
			answer(w, s)
		}
		return err
	}))
	mux.HandleFunc("POST /api/midi", post(func(w http.ResponseWriter, r req) error {
		var b bytes.Buffer
		if err := m.WriteMIDI(&b, concat(r.Tokens), music.WriteOptions{BPM: r.BPM}); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "audio/midi")
		_, err := w.Write(b.Bytes())
		return err
	}))
	mux.HandleFunc("POST /api/encode", func(w http.ResponseWriter, hr *http.Request) {
		f, _, err := hr.FormFile("file")
		if err != nil {
			fail(w, err)
			return
		}
		data, err := io.ReadAll(f)
		if err != nil {
			fail(w, err)
			return
		}
		win, err := m.ParseMIDI(data)
		if err != nil {
			fail(w, err)
			return
		}
		mu, _, err := m.Encode(win.Data, win.N)
		if err != nil {
			fail(w, err)
			return
		}
		var zs [][]float32
		for i := range win.N {
			zs = append(zs, mu[i*c.ZSize:(i+1)*c.ZSize])
		}
		json.NewEncoder(w).Encode(map[string]any{"z": zs})
	})
	return mux
}

func concat(xs [][]float32) []float32 {
	var out []float32
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}
