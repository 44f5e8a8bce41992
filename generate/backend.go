package generate

import "github.com/musicvae-go/mvae/model"

// Backend runs a model's graphs. Buffers are the caller's: inputs are read,
// outputs written, all float32 in row-major order. B is the batch size.
type Backend interface {
	// Config is the model's config.
	Config() *model.Config
	// Encode: x [B,T,D] -> mu, sigma [B,Z].
	Encode(x []float32, B int, mu, sigma []float32) error
	// Conduct: z [B,Z] -> cond [B,U,Hc], the segment embeddings.
	Conduct(z []float32, B int, cond []float32) error
	// NewState makes the decoder state of B sequences, reused across steps.
	NewState(B int) (State, error)
	// DecoderInit sets st to init(c_u) for cu [B,Hc] (spec §2).
	DecoderInit(st State, cu []float32) error
	// DecoderStep feeds prev [B,D] and cu [B,Hc], advances st and writes
	// logits [B,D].
	DecoderStep(st State, prev, cu, logits []float32) error
	// Forward is the teacher-forced forward of spec §2: x [B,T,D], eps [B,Z]
	// -> logits [B,T,D], mu, sigma [B,Z].
	Forward(x, eps []float32, B int, logits, mu, sigma []float32) error
	// Close frees what the backend holds.
	Close() error
}

// State is a backend's decoder state for a batch.
type State interface {
	// Batch is the number of sequences.
	Batch() int
	// Close frees the state.
	Close() error
}
