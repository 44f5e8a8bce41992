package musicvae

import (
	"crypto/rand"
	"encoding/binary"

	"github.com/musicvae-go/mvae/generate"
)

// Options of a decoding: the sampling temperature (0: greedy), the seed
// (sequence i draws from stream Seed+i), an attribute vector added to every
// latent vector times Amount, and a progress callback (step t of T).
type Options = generate.Options

// NewSeed returns a random seed below 2³² (from crypto/rand; short enough
// to read in a file name), for runs that should differ: print it, so that
// the run can be repeated with Options.Seed.
func NewSeed() uint64 {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("musicvae: crypto/rand: " + err.Error())
	}
	return uint64(binary.LittleEndian.Uint32(b[:]))
}

// Sequences are N sequences a model decoded: their latent vectors Z [N,ZSize]
// and their tokens [N,T,D].
type Sequences struct {
	N, T, D, ZSize int
	Z              []float32
	Tokens         []float32
}

// Sequence returns the tokens of sequence i, T*D values.
func (s *Sequences) Sequence(i int) []float32 {
	return s.Tokens[i*s.T*s.D : (i+1)*s.T*s.D]
}

// Latent returns the latent vector of sequence i.
func (s *Sequences) Latent(i int) []float32 { return s.Z[i*s.ZSize : (i+1)*s.ZSize] }

// Concat returns the tokens of every sequence one after the other, as one
// sequence of N*T steps (the whole of an interpolation, say).
func (s *Sequences) Concat() []float32 { return s.Tokens }

func (m *Model) sequences(z, tokens []float32) *Sequences {
	c := m.Config()
	return &Sequences{N: len(z) / c.ZSize, T: c.T(), D: c.InputSize, ZSize: c.ZSize, Z: z, Tokens: tokens}
}
