package bench

import (
	"bufio"
	"bytes"
	"os"
	rt "runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/musicvae-go/mvae/model"
	"github.com/musicvae-go/mvae/music"
)

// resetPeakRSS frees what the Go heap can give back and resets the
// process's RSS high-water mark (Linux: /proc/self/clear_refs, 5), so that
// the next PeakRSS is the peak of what runs in between. It reports whether
// the mark could be reset; where it cannot, PeakRSS is the process's peak.
func resetPeakRSS() bool {
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// PeakRSS is the process's resident-set high-water mark in bytes: VmHWM of
// /proc/self/status, else getrusage's ru_maxrss; 0 if neither is known.
func PeakRSS() int64 {
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if rest, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
				f := bytes.Fields(rest)
				if len(f) == 2 && string(f[1]) == "kB" {
					if kb, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
						return kb << 10
					}
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		return maxrssBytes(ru.Maxrss)
	}
	return 0
}

// memcpySize is the size of MemcpyBandwidth's buffers (tests shrink it).
var memcpySize = 64 << 20

// MemcpyBandwidth is this machine's memory bandwidth as STREAM's Copy
// counts it, on every core: one goroutine a core (GOMAXPROCS, as the native
// runtime's products split over the cores) copies between its own two
// buffers of 64 MiB (larger than any cache) for about d, and every byte
// copied counts twice, read and written.
func MemcpyBandwidth(d time.Duration) float64 {
	n, workers := memcpySize, rt.GOMAXPROCS(0)
	type buffers struct{ src, dst []byte }
	bufs := make([]buffers, workers)
	for w := range bufs {
		bufs[w] = buffers{make([]byte, n), make([]byte, n)}
		for i := range bufs[w].src {
			bufs[w].src[i] = byte(i)
		}
		copy(bufs[w].dst, bufs[w].src) // touch every page first
	}
	copied := make([]int64, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range bufs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for copied[w] == 0 || time.Since(start) < d {
				copy(bufs[w].dst, bufs[w].src)
				copied[w] += int64(n)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	var total int64
	for _, c := range copied {
		total += c
	}
	rt.KeepAlive(bufs)
	return 2 * float64(total) / elapsed
}

// StepBytes is how many bytes of weights one generation step of the native
// runtime reads, every split decoder's step: layer 0's columns for the
// previous token (one row of them for a one-hot token), its recurrent
// weights, every upper layer's weights, the biases of every layer above 0,
// and the output layer, its matrices stored in precision p (int8: with a
// float32 scale a row). Layer 0's columns for c_u and its biases are
// applied once a segment (DecoderInit), not a step.
func StepBytes(c *model.Config, p model.Precision) int64 {
	H, L := int64(c.Decoder.Hidden), int64(c.Decoder.Layers)
	var mat, rows, vec int64 // matrix values (stored in p), their rows, float32 values
	for k, d := range c.SplitDepths() {
		D := int64(d)
		if c.SplitRep(k) != music.Groove {
			vec += 4 * H // one row of prev's weights, kept float32
		} else {
			mat, rows = mat+4*H*D, rows+4*H
		}
		mat, rows = mat+4*H*H, rows+4*H                                     // layer 0's W_hh
		mat, rows, vec = mat+(L-1)*4*H*2*H, rows+(L-1)*8*H, vec+(L-1)*2*4*H // layers 1..L-1: W_ih, W_hh, both biases
		mat, rows, vec = mat+D*H, rows+D, vec+D                             // the output layer
	}
	switch p {
	case model.BF16, model.F16:
		return 2*mat + 4*vec
	case model.Int8:
		return mat + 4*rows + 4*vec // a float32 scale a row
	}
	return 4 * (mat + vec)
}
