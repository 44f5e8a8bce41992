package serve

import (
	"context"
	"time"

	"github.com/musicvae-go/mvae/musicvae"
)

// sampleReq is one /api/sample request waiting in a batcher's queue.
type sampleReq struct {
	ctx   context.Context
	n     int
	key   batchKey
	reply chan sampleReply // buffered: the batcher never blocks on it
}

// batchKey is what requests merged into one Sample call share. A request
// with its own seed runs alone (seeded); the others share a seed the
// batcher draws, and each gets back the seed that repeats its sequences
// (sequence i draws from stream Seed+i).
type batchKey struct {
	temperature float64
	attribute   string
	amount      float64
	seeded      bool
	seed        uint64
}

type sampleReply struct {
	seed uint64
	seqs *musicvae.Sequences // the request's n sequences
	err  error
}

// batcher merges concurrent sample requests of one model: it takes the
// first request of its queue, waits window for more, and runs the requests
// that share a batchKey as one Sample call of at most maxSeqs sequences.
type batcher struct {
	m       *Model
	queue   chan *sampleReq
	window  time.Duration
	maxSeqs int
	met     *metrics
	quit    chan struct{}
	done    chan struct{}
}

func newBatcher(m *Model, queue int, window time.Duration, maxSeqs int, met *metrics) *batcher {
	b := &batcher{m: m, queue: make(chan *sampleReq, queue), window: window, maxSeqs: maxSeqs, met: met,
		quit: make(chan struct{}), done: make(chan struct{})}
	go b.run()
	return b
}

// submit queues r, or refuses it when the queue is full.
func (b *batcher) submit(r *sampleReq) error {
	select {
	case <-b.quit:
		return errShutdown
	default:
	}
	select {
	case b.queue <- r:
		b.met.queueDepth.WithLabelValues(b.m.Name).Set(float64(len(b.queue)))
		return nil
	default:
		b.met.rejected.WithLabelValues(b.m.Name).Inc()
		return errOverloaded
	}
}

// stop ends the batcher once its queue is empty; requests still queued are
// answered first.
func (b *batcher) stop() {
	close(b.quit)
	<-b.done
}

func (b *batcher) run() {
	defer close(b.done)
	for {
		var first *sampleReq
		select {
		case first = <-b.queue:
		case <-b.quit:
			// Drain what is left, then end.
			for {
				select {
				case r := <-b.queue:
					b.runBatch([]*sampleReq{r})
				default:
					return
				}
			}
		}
		batch := []*sampleReq{first}
		seqs := first.n
		if b.window > 0 {
			timer := time.NewTimer(b.window)
		collect:
			for seqs < b.maxSeqs {
				select {
				case r := <-b.queue:
					batch = append(batch, r)
					seqs += r.n
				case <-timer.C:
					break collect
				}
			}
			timer.Stop()
		}
		b.met.queueDepth.WithLabelValues(b.m.Name).Set(float64(len(b.queue)))
		// Group by key, in arrival order.
		var keys []batchKey
		groups := map[batchKey][]*sampleReq{}
		for _, r := range batch {
			if _, ok := groups[r.key]; !ok {
				keys = append(keys, r.key)
			}
			groups[r.key] = append(groups[r.key], r)
		}
		for _, k := range keys {
			g := groups[k]
			for len(g) > 0 {
				take, n := 0, 0
				for take < len(g) && (take == 0 || n+g[take].n <= b.maxSeqs) {
					n += g[take].n
					take++
				}
				b.runBatch(g[:take])
				g = g[take:]
			}
		}
	}
}

// runBatch runs requests of one key as one Sample call and answers each.
func (b *batcher) runBatch(rs []*sampleReq) {
	live := rs[:0:0]
	n := 0
	for _, r := range rs {
		if r.ctx.Err() != nil {
			r.reply <- sampleReply{err: errTimeout}
			continue
		}
		live = append(live, r)
		n += r.n
	}
	if len(live) == 0 {
		return
	}
	k := live[0].key
	seed := k.seed
	if !k.seeded {
		seed = musicvae.NewSeed()
	}
	o := musicvae.Options{Temperature: k.temperature, Seed: seed, Amount: k.amount}
	if k.attribute != "" {
		o.Attribute = b.m.attrs[k.attribute]
	}
	start := time.Now()
	var seqs *musicvae.Sequences
	err := b.m.do(context.Background(), 0, func(m *musicvae.Model) error {
		var err error
		seqs, err = m.Sample(n, o)
		return err
	})
	b.met.batchSeconds.WithLabelValues(b.m.Name).Observe(time.Since(start).Seconds())
	b.met.batchRequests.WithLabelValues(b.m.Name).Observe(float64(len(live)))
	b.met.batchSequences.WithLabelValues(b.m.Name).Observe(float64(n))
	off := 0
	for _, r := range live {
		if err != nil {
			r.reply <- sampleReply{err: err}
			continue
		}
		r.reply <- sampleReply{seed: seed + uint64(off), seqs: slice(seqs, off, r.n)}
		off += r.n
	}
}

// slice returns sequences [off, off+n) of s.
func slice(s *musicvae.Sequences, off, n int) *musicvae.Sequences {
	TD := s.T * s.D
	return &musicvae.Sequences{N: n, T: s.T, D: s.D, ZSize: s.ZSize,
		Z:      s.Z[off*s.ZSize : (off+n)*s.ZSize],
		Tokens: s.Tokens[off*TD : (off+n)*TD]}
}
