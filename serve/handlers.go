package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"

	"github.com/musicvae-go/mvae/music"
	"github.com/musicvae-go/mvae/musicvae"
	"github.com/musicvae-go/mvae/npy"
)

// defaultTemperature is the temperature of a request that names none.
const defaultTemperature = 0.5

// maxTemperature bounds the temperature a request may ask for.
const maxTemperature = 10

// maxAmount bounds the amount of an attribute vector.
const maxAmount = 1000

// seqJSON is one sequence of a response; MIDI travels in base64.
type seqJSON struct {
	Tokens []float32 `json:"tokens"`
	Z      []float32 `json:"z"`
	MIDI   []byte    `json:"midi"`
}

// seqsResponse is the answer of the endpoints that decode.
type seqsResponse struct {
	Model     string    `json:"model"`
	Seed      uint64    `json:"seed"`
	Sequences []seqJSON `json:"sequences"`
}

// decodeParams are the fields of every request that decodes.
type decodeParams struct {
	Model       string   `json:"model"`
	Temperature *float64 `json:"temperature"`
	Seed        *uint64  `json:"seed"`
	BPM         float64  `json:"bpm"`
	Attribute   string   `json:"attribute"`
	Amount      float64  `json:"amount"`
}

// vectors are latent vectors or token sequences: one flat array, or an
// array of arrays.
type vectors [][]float32

func (v *vectors) UnmarshalJSON(b []byte) error {
	var nested [][]float32
	if err := json.Unmarshal(b, &nested); err == nil {
		*v = nested
		return nil
	}
	var flat []float32
	if err := json.Unmarshal(b, &flat); err != nil {
		return errors.New("want an array of numbers or an array of arrays of numbers")
	}
	*v = vectors{flat}
	return nil
}

// model finds the model a request names ("": the first).
func (s *Server) model(name string) (*Model, error) {
	if name == "" {
		return s.order[0], nil
	}
	m, ok := s.models[name]
	if !ok {
		return nil, notFound("no model named %q", name)
	}
	return m, nil
}

// readDecoding reads a JSON request req whose decoding parameters are p
// (embedded in req), and resolves p's model and options.
func (s *Server) readDecoding(r *http.Request, req any, p *decodeParams) (*Model, musicvae.Options, error) {
	if err := decodeJSON(r.Body, req); err != nil {
		return nil, musicvae.Options{}, err
	}
	m, err := s.model(p.Model)
	if err != nil {
		return nil, musicvae.Options{}, err
	}
	o, err := s.options(m, p)
	return m, o, err
}

// options checks p against m and turns it into decoding options; the seed
// is drawn when p has none.
func (s *Server) options(m *Model, p *decodeParams) (musicvae.Options, error) {
	o := musicvae.Options{Temperature: defaultTemperature}
	if p.Temperature != nil {
		o.Temperature = *p.Temperature
	}
	if !(o.Temperature >= 0 && o.Temperature <= maxTemperature) {
		return o, badRequest("temperature %v is not in [0, %d]", o.Temperature, maxTemperature)
	}
	if p.Seed != nil {
		o.Seed = *p.Seed
	} else {
		o.Seed = musicvae.NewSeed()
	}
	if !(p.BPM >= 0 && p.BPM <= music.MaxBPM) {
		return o, badRequest("bpm %v is not in (0, %v]", p.BPM, music.MaxBPM)
	}
	if !(math.Abs(p.Amount) <= maxAmount) {
		return o, badRequest("amount %v is not in [-%d, %d]", p.Amount, maxAmount, maxAmount)
	}
	if p.Attribute != "" {
		v, ok := m.attrs[p.Attribute]
		if !ok {
			return o, notFound("model %q has no attribute %q (see /api/models)", m.Name, p.Attribute)
		}
		o.Attribute, o.Amount = v, p.Amount
	}
	return o, nil
}

// answer writes sequences with their MIDI files.
func (s *Server) answer(w http.ResponseWriter, m *Model, seed uint64, bpm float64, seqs *musicvae.Sequences) error {
	// JSON has no NaN or infinity: latent vectors pushed out of range (a
	// huge z, a huge attribute amount) are the request's fault.
	if i := npy.FirstNonFinite(seqs.Z); i >= 0 {
		return badRequest("latent vector %d holds a value out of float32's range (%v)", i/max(seqs.ZSize, 1), seqs.Z[i])
	}
	if i := npy.FirstNonFinite(seqs.Tokens); i >= 0 {
		return badRequest("the model gave a value that is not finite for this input (sequence %d)", i/max(seqs.T*seqs.D, 1))
	}
	resp := seqsResponse{Model: m.Name, Seed: seed, Sequences: make([]seqJSON, seqs.N)}
	for i := range seqs.N {
		var buf bytes.Buffer
		if err := m.m.WriteMIDI(&buf, seqs.Sequence(i), music.WriteOptions{BPM: bpm}); err != nil {
			return err
		}
		resp.Sequences[i] = seqJSON{Tokens: seqs.Sequence(i), Z: seqs.Latent(i), MIDI: buf.Bytes()}
	}
	writeJSON(w, http.StatusOK, &resp)
	return nil
}

// call runs f on m with the request's context and limits; an error of the
// model (bad data the checks above let through) is a bad request.
func (s *Server) call(r *http.Request, m *Model, f func(*musicvae.Model) error) error {
	err := m.do(r.Context(), s.lim.Queue, f)
	var ae *apiError
	if err != nil && !errors.As(err, &ae) {
		return badRequest("%v", err)
	}
	return err
}

type modelJSON struct {
	Name            string   `json:"name"`
	Representation  string   `json:"representation"`
	Family          string   `json:"family"`
	Steps           int      `json:"steps"`
	Depth           int      `json:"depth"`
	ZSize           int      `json:"z_size"`
	StepsPerQuarter int      `json:"steps_per_quarter"`
	Bars            int      `json:"bars"`
	Attributes      []string `json:"attributes"`
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) error {
	out := make([]modelJSON, len(s.order))
	for i, m := range s.order {
		c := m.m.Config()
		out[i] = modelJSON{Name: m.Name, Representation: c.Representation, Family: c.Network(),
			Steps: c.T(), Depth: c.InputSize, ZSize: c.ZSize, StepsPerQuarter: c.StepsPerQuarter,
			Bars: c.Bars, Attributes: m.Attributes()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": out, "limits": map[string]any{
		"max_n": s.lim.MaxN, "max_steps": s.lim.MaxSteps, "max_grid": s.lim.MaxGrid,
		"max_windows": s.lim.MaxWindows, "max_body": s.lim.MaxBody,
	}})
	return nil
}

type sampleRequest struct {
	decodeParams
	N *int `json:"n"`
}

func (s *Server) handleSample(w http.ResponseWriter, r *http.Request) error {
	var req sampleRequest
	m, o, err := s.readDecoding(r, &req, &req.decodeParams)
	if err != nil {
		return err
	}
	n := 1
	if req.N != nil {
		n = *req.N
	}
	if n < 1 || n > s.lim.MaxN {
		return badRequest("n %d is not in [1, %d]", n, s.lim.MaxN)
	}
	sr := &sampleReq{ctx: r.Context(), n: n, reply: make(chan sampleReply, 1), key: batchKey{
		temperature: o.Temperature, attribute: req.Attribute, amount: o.Amount,
		seeded: req.Seed != nil,
	}}
	if req.Seed != nil {
		sr.key.seed = o.Seed
	}
	if err := m.b.submit(sr); err != nil {
		return err
	}
	select {
	case rep := <-sr.reply:
		if rep.err != nil {
			var ae *apiError
			if !errors.As(rep.err, &ae) {
				return badRequest("%v", rep.err)
			}
			return rep.err
		}
		return s.answer(w, m, rep.seed, req.BPM, rep.seqs)
	case <-r.Context().Done():
		return errTimeout
	}
}

// readUpload reads the MIDI file of an encode request: the body itself, or
// the part "file" of a multipart form.
func (s *Server) readUpload(r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt := ""
	if ct != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			return nil, &apiError{http.StatusUnsupportedMediaType, codeMediaType, "bad Content-Type: " + err.Error()}
		}
	}
	switch mt {
	case "", "audio/midi", "audio/x-midi", "audio/mid", "application/octet-stream", "application/x-midi":
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, readError(err)
		}
		return data, nil
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, badRequest("bad multipart body: %v", err)
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil, badRequest(`the multipart body has no part "file"`)
			}
			if err != nil {
				return nil, readError(err)
			}
			if p.FormName() != "file" {
				continue
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return nil, readError(err)
			}
			return data, nil
		}
	default:
		return nil, &apiError{http.StatusUnsupportedMediaType, codeMediaType,
			"Content-Type " + mt + ": want audio/midi, application/octet-stream or multipart/form-data"}
	}
}

// readError is the error of a body that could not be read: over the limit,
// or cut short.
func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return badRequest("reading the request body: %v", err)
}

type encodeResponse struct {
	Model     string    `json:"model"`
	Windows   int       `json:"windows"` // windows the file holds (Sequences holds at most the limit)
	Sequences []seqJSON `json:"sequences"`
}

func (s *Server) handleEncode(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	m, err := s.model(q.Get("model"))
	if err != nil {
		return err
	}
	bpm := 0.0
	if b := q.Get("bpm"); b != "" {
		if bpm, err = strconv.ParseFloat(b, 64); err != nil || !(bpm > 0 && bpm <= music.MaxBPM) {
			return badRequest("bpm %q is not a number in (0, %v]", b, music.MaxBPM)
		}
	}
	data, err := s.readUpload(r)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return badRequest("empty upload: want a Standard MIDI File")
	}
	var win *music.Windows
	var mu []float32
	err = s.call(r, m, func(mm *musicvae.Model) error {
		var err error
		if win, err = mm.ParseMIDI(data); err != nil {
			return err
		}
		if win.N == 0 {
			return errors.New("the MIDI file holds no window with notes the model reads")
		}
		n := min(win.N, s.lim.MaxWindows)
		mu, _, err = mm.Encode(win.Data[:n*win.T*win.D], n)
		return err
	})
	if err != nil {
		return err
	}
	n := min(win.N, s.lim.MaxWindows)
	Z := m.m.Config().ZSize
	resp := encodeResponse{Model: m.Name, Windows: win.N, Sequences: make([]seqJSON, n)}
	for i := range n {
		tok := win.Window(i)
		var buf bytes.Buffer
		if err := m.m.WriteMIDI(&buf, tok, music.WriteOptions{BPM: bpm}); err != nil {
			return err
		}
		resp.Sequences[i] = seqJSON{Tokens: tok, Z: mu[i*Z : (i+1)*Z], MIDI: buf.Bytes()}
	}
	writeJSON(w, http.StatusOK, &resp)
	return nil
}

type decodeRequest struct {
	decodeParams
	Z vectors `json:"z"`
}

func (s *Server) handleDecode(w http.ResponseWriter, r *http.Request) error {
	var req decodeRequest
	m, o, err := s.readDecoding(r, &req, &req.decodeParams)
	if err != nil {
		return err
	}
	if len(req.Z) == 0 || len(req.Z) > s.lim.MaxN {
		return badRequest("z holds %d latent vectors: want 1 to %d", len(req.Z), s.lim.MaxN)
	}
	Z := m.m.Config().ZSize
	flat := make([]float32, 0, len(req.Z)*Z)
	for i, z := range req.Z {
		if len(z) != Z {
			return badRequest("latent vector %d has %d values; model %q's have %d", i, len(z), m.Name, Z)
		}
		flat = append(flat, z...)
	}
	var seqs *musicvae.Sequences
	if err := s.call(r, m, func(mm *musicvae.Model) error {
		seqs, err = mm.Decode(flat, o)
		return err
	}); err != nil {
		return err
	}
	return s.answer(w, m, o.Seed, req.BPM, seqs)
}

type interpolateRequest struct {
	decodeParams
	Z      vectors `json:"z"`
	Tokens vectors `json:"tokens"`
	Steps  *int    `json:"steps"`
	Mode   string  `json:"mode"`
}

func (s *Server) handleInterpolate(w http.ResponseWriter, r *http.Request) error {
	var req interpolateRequest
	m, o, err := s.readDecoding(r, &req, &req.decodeParams)
	if err != nil {
		return err
	}
	if (req.Z == nil) == (req.Tokens == nil) {
		return badRequest(`give the corners as "z" (latent vectors) or as "tokens" (sequences), one of the two`)
	}
	corners := req.Z
	if corners == nil {
		corners = req.Tokens
	}
	if len(corners) != 2 && len(corners) != 4 {
		return badRequest("an interpolation takes 2 or 4 corners, got %d", len(corners))
	}
	steps := 5
	if req.Steps != nil {
		steps = *req.Steps
	}
	if steps < 2 || steps > s.lim.MaxSteps || (len(corners) == 4 && steps*steps > s.lim.MaxGrid) {
		return badRequest("steps %d is not in [2, %d] (4 corners: steps² at most %d)", steps, s.lim.MaxSteps, s.lim.MaxGrid)
	}
	mode := musicvae.Slerp
	switch req.Mode {
	case "", "slerp":
	case "lerp":
		mode = musicvae.Lerp
	default:
		return badRequest("mode %q: want slerp or lerp", req.Mode)
	}
	c := m.m.Config()
	want, what := c.ZSize, "latent vector"
	if req.Tokens != nil {
		want, what = c.T()*c.InputSize, "sequence"
	}
	for i, v := range corners {
		if len(v) != want {
			return badRequest("%s %d has %d values; model %q's have %d", what, i, len(v), m.Name, want)
		}
	}
	var seqs *musicvae.Sequences
	if err := s.call(r, m, func(mm *musicvae.Model) error {
		if req.Z != nil {
			seqs, err = mm.InterpolateLatents(corners, steps, mode, o)
		} else {
			seqs, err = mm.Interpolate(corners, steps, mode, o)
		}
		return err
	}); err != nil {
		return err
	}
	return s.answer(w, m, o.Seed, req.BPM, seqs)
}

type similarRequest struct {
	decodeParams
	Tokens     []float32 `json:"tokens"`
	N          *int      `json:"n"`
	Similarity *float64  `json:"similarity"`
}

func (s *Server) handleSimilar(w http.ResponseWriter, r *http.Request) error {
	var req similarRequest
	m, o, err := s.readDecoding(r, &req, &req.decodeParams)
	if err != nil {
		return err
	}
	n, sim := 4, 0.8
	if req.N != nil {
		n = *req.N
	}
	if req.Similarity != nil {
		sim = *req.Similarity
	}
	if n < 1 || n > s.lim.MaxN {
		return badRequest("n %d is not in [1, %d]", n, s.lim.MaxN)
	}
	if !(sim >= 0 && sim <= 1) {
		return badRequest("similarity %v is not in [0, 1]", sim)
	}
	c := m.m.Config()
	if TD := c.T() * c.InputSize; len(req.Tokens) != TD {
		return badRequest("tokens has %d values; model %q's sequences have %d (%d steps of %d)", len(req.Tokens), m.Name, TD, c.T(), c.InputSize)
	}
	var seqs *musicvae.Sequences
	if err := s.call(r, m, func(mm *musicvae.Model) error {
		seqs, err = mm.Similar(req.Tokens, n, sim, o)
		return err
	}); err != nil {
		return err
	}
	return s.answer(w, m, o.Seed, req.BPM, seqs)
}

type midiRequest struct {
	Model  string    `json:"model"`
	Tokens []float32 `json:"tokens"`
	BPM    float64   `json:"bpm"`
	Format string    `json:"format"`
}

func (s *Server) handleMIDI(w http.ResponseWriter, r *http.Request) error {
	var req midiRequest
	if err := decodeJSON(r.Body, &req); err != nil {
		return err
	}
	m, err := s.model(req.Model)
	if err != nil {
		return err
	}
	c := m.m.Config()
	TD := c.T() * c.InputSize
	if len(req.Tokens) == 0 || len(req.Tokens)%TD != 0 || len(req.Tokens)/TD > s.lim.MaxWindows {
		return badRequest("tokens has %d values: want 1 to %d sequences of %d (%d steps of %d)", len(req.Tokens), s.lim.MaxWindows, TD, c.T(), c.InputSize)
	}
	if !(req.BPM >= 0 && req.BPM <= music.MaxBPM) {
		return badRequest("bpm %v is not in (0, %v]", req.BPM, music.MaxBPM)
	}
	format := req.Format
	if format == "" {
		format = r.URL.Query().Get("format")
	}
	if format != "" && format != "json" && format != "midi" {
		return badRequest("format %q: want midi or json", format)
	}
	var buf bytes.Buffer
	if err := m.m.WriteMIDI(&buf, req.Tokens, music.WriteOptions{BPM: req.BPM, Name: "mvae " + m.Name}); err != nil {
		return badRequest("%v", err)
	}
	if format == "json" {
		writeJSON(w, http.StatusOK, map[string]any{"midi": buf.Bytes()})
		return nil
	}
	w.Header().Set("Content-Type", "audio/midi")
	w.Header().Set("Content-Disposition", `attachment; filename="mvae-`+m.Name+`.mid"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, _ = w.Write(buf.Bytes())
	return nil
}
