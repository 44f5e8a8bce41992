package generate

import "github.com/musicvae-go/mvae/model"

// Backend runs a model's graphs. Buffers are the caller's: inputs are read,
// outputs written, all float32 in row-major order. B is the batch size.
type Backend interface {
	// Config is the model's config.
	Config() *model.Config
	// Encode: x [B,T,D_in] (the encoder's input, docs/FAMILIES.md §3) ->
	// mu, sigma [B,Z].
	Encode(x []float32, B int, mu, sigma []float32) error
	// Conduct: z [B,Z] -> cond [B,U,C], the segment embeddings (C =
	// Config().CondWidth(); without a conductor, U = 1 and cond is z).
	Conduct(z []float32, B int, cond []float32) error
	// NewState makes the decoder state of B sequences (of every split
	// decoder), reused across steps.
	NewState(B int) (State, error)
	// DecoderInit sets split decoder k's part of st to init(c_u) for cu
	// [B,C] (spec §2); k is 0 for a model with one decoder.
	DecoderInit(st State, k int, cu []float32) error
	// DecoderStep feeds split k's prev [B,D_k] and cu [B,C], advances its
	// part of st and writes its logits [B,D_k].
	DecoderStep(st State, k int, prev, cu, logits []float32) error
	// Forward is the teacher-forced forward of spec §2 (docs/FAMILIES.md
	// §2.2): TOKENS x [B,T,D], eps [B,Z] -> logits [B,T,D], mu, sigma [B,Z].
	// The backend computes the encoder's input from x itself
	// (music.EncoderInput.Apply with the config's encoder_input); the
	// decoders are fed x.
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

// Refiner moves latent vectors toward a more faithful reconstruction: z
// [B,Z] (the encoder's mu, say) is updated in place so that the
// teacher-forced decoder reconstructs tokens x [B,T,D] better. The native
// runtime's (native.Refiner) runs gradient steps; a Refiner may run on
// another runtime than the Backend that decodes, as z is plain numbers.
type Refiner interface {
	RefineLatents(x, z []float32, B int) error
}
