package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/web"
)

// testModel is a model the test server offers, with its attribute vectors.
type testModel struct {
	*musicvae.Model
	name       string
	attributes map[string][]float32
}

// apiServer serves the page and the JSON API of `mvae serve` (its
// contract, /work/notes/s-api.md: the fields the page uses), computed by
// the real models through musicvae.
func apiServer(models ...*testModel) http.Handler {
	type seq struct {
		Tokens []float32 `json:"tokens"`
		Z      []float32 `json:"z"`
	}
	answer := func(w http.ResponseWriter, s *musicvae.Sequences, seed uint64) error {
		out := struct {
			Seed      uint64 `json:"seed"`
			Sequences []seq  `json:"sequences"`
		}{Seed: seed}
		for i := range s.N {
			out.Sequences = append(out.Sequences, seq{s.Sequence(i), s.Latent(i)})
		}
		w.Header().Set("Content-Type", "application/json")
		return json.NewEncoder(w).Encode(out)
	}
	fail := func(w http.ResponseWriter, err error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "bad_request", "message": err.Error()}})
	}
	find := func(name string) (*testModel, error) {
		for _, m := range models {
			if m.name == name {
				return m, nil
			}
		}
		return nil, errors.New("no model " + name)
	}
	type req struct {
		Model       string          `json:"model"`
		Temperature float64         `json:"temperature"`
		Seed        uint64          `json:"seed"`
		Z           json.RawMessage `json:"z"`
		Tokens      []float32       `json:"tokens"`
		Steps       int             `json:"steps"`
		N           int             `json:"n"`
		Similarity  float64         `json:"similarity"`
		BPM         float64         `json:"bpm"`
		Attribute   string          `json:"attribute"`
		Amount      float64         `json:"amount"`
	}
	post := func(f func(w http.ResponseWriter, m *testModel, r req, o musicvae.Options) error) http.HandlerFunc {
		return func(w http.ResponseWriter, hr *http.Request) {
			var r req
			dec := json.NewDecoder(hr.Body)
			dec.DisallowUnknownFields()
			err := dec.Decode(&r)
			var m *testModel
			if err == nil {
				m, err = find(r.Model)
			}
			o := musicvae.Options{Temperature: r.Temperature, Seed: r.Seed}
			if err == nil && r.Attribute != "" {
				var ok bool
				if o.Attribute, ok = m.attributes[r.Attribute]; !ok {
					err = errors.New("no attribute " + r.Attribute)
				}
				o.Amount = r.Amount
			}
			if err == nil {
				err = f(w, m, r, o)
			}
			if err != nil {
				fail(w, err)
			}
		}
	}
	// latents reads "z": one vector or several.
	latents := func(raw json.RawMessage) ([][]float32, error) {
		var one []float32
		if json.Unmarshal(raw, &one) == nil {
			return [][]float32{one}, nil
		}
		var many [][]float32
		return many, json.Unmarshal(raw, &many)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServerFS(web.FS()))
	mux.HandleFunc("GET /api/models", func(w http.ResponseWriter, _ *http.Request) {
		var list []map[string]any
		for _, m := range models {
			c := m.Config()
			attrs := []string{}
			for a := range m.attributes {
				attrs = append(attrs, a)
			}
			list = append(list, map[string]any{"name": m.name, "representation": c.Representation, "steps": c.T(),
				"depth": c.InputSize, "z_size": c.ZSize, "steps_per_quarter": c.StepsPerQuarter, "bars": c.Bars, "attributes": attrs})
		}
		json.NewEncoder(w).Encode(map[string]any{"models": list})
	})
	mux.HandleFunc("POST /api/sample", post(func(w http.ResponseWriter, m *testModel, r req, o musicvae.Options) error {
		s, err := m.Sample(max(r.N, 1), o)
		if err != nil {
			return err
		}
		return answer(w, s, r.Seed)
	}))
	mux.HandleFunc("POST /api/decode", post(func(w http.ResponseWriter, m *testModel, r req, o musicvae.Options) error {
		zs, err := latents(r.Z)
		if err != nil {
			return err
		}
		s, err := m.Decode(concat(zs), o)
		if err != nil {
			return err
		}
		return answer(w, s, r.Seed)
	}))
	mux.HandleFunc("POST /api/interpolate", post(func(w http.ResponseWriter, m *testModel, r req, o musicvae.Options) error {
		zs, err := latents(r.Z)
		if err != nil {
			return err
		}
		s, err := m.InterpolateLatents(zs, r.Steps, musicvae.Slerp, o)
		if err != nil {
			return err
		}
		return answer(w, s, r.Seed)
	}))
	mux.HandleFunc("POST /api/similar", post(func(w http.ResponseWriter, m *testModel, r req, o musicvae.Options) error {
		s, err := m.Similar(r.Tokens, max(r.N, 1), r.Similarity, o)
		if err != nil {
			return err
		}
		return answer(w, s, r.Seed)
	}))
	mux.HandleFunc("POST /api/midi", post(func(w http.ResponseWriter, m *testModel, r req, _ musicvae.Options) error {
		var b bytes.Buffer
		if err := m.WriteMIDI(&b, r.Tokens, music.WriteOptions{BPM: r.BPM}); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "audio/midi")
		_, err := w.Write(b.Bytes())
		return err
	}))
	mux.HandleFunc("POST /api/encode", func(w http.ResponseWriter, hr *http.Request) {
		if err := encode(w, hr, find, answer); err != nil {
			fail(w, err)
		}
	})
	return mux
}

func encode(w http.ResponseWriter, hr *http.Request, find func(string) (*testModel, error), answer func(http.ResponseWriter, *musicvae.Sequences, uint64) error) error {
	m, err := find(hr.URL.Query().Get("model"))
	if err != nil {
		return err
	}
	f, _, err := hr.FormFile("file")
	if err != nil {
		return err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	win, err := m.ParseMIDI(data)
	if err != nil {
		return err
	}
	mu, _, err := m.Encode(win.Data, win.N)
	if err != nil {
		return err
	}
	c := m.Config()
	return answer(w, &musicvae.Sequences{N: win.N, T: c.T(), D: c.InputSize, ZSize: c.ZSize, Z: mu, Tokens: win.Data}, 0)
}

func concat(xs [][]float32) []float32 {
	var out []float32
	for _, x := range xs {
		out = append(out, x...)
	}
	return out
}
