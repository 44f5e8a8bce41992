package importer

import (
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/musicvae-go/mvae/model"
)

// checkShardSizes compares each group's shards, as they are on disk, with
// what the manifest's tensors need: a missing shard, or shards that hold
// fewer or more bytes, is an error naming the files and the tensor that
// does not fit. It returns every shard's size, which bounds the reads.
func checkShardSizes(dir string, groups []*mjGroup) (map[string]int64, error) {
	sizes := map[string]int64{}
	for gi, g := range groups {
		var have int64
		for _, p := range g.Paths {
			path := filepath.Join(dir, p)
			st, err := os.Stat(path)
			if err != nil {
				if os.IsNotExist(err) {
					return nil, fmt.Errorf("%s: the shard is missing (%s names it in group %d)", path, MagentaManifestFile, gi+1)
				}
				return nil, fmt.Errorf("%s: %v", path, err)
			}
			if !st.Mode().IsRegular() {
				return nil, fmt.Errorf("%s: the shard is not a regular file", path)
			}
			sizes[p] = st.Size()
			have += st.Size()
		}
		files := g.Paths[0] + " holds"
		switch n := len(g.Paths); {
		case n > 4:
			files = fmt.Sprintf("the %d shards %s ... %s (concatenated) hold", n, g.Paths[0], g.Paths[n-1])
		case n > 1:
			files = "the shards " + strings.Join(g.Paths, ", ") + " (concatenated) hold"
		}
		blame := filepath.Join(dir, shortShard(g.Paths, sizes))
		if have < g.Bytes {
			for _, e := range g.Entries {
				if e.Offset+e.Bytes > have {
					return nil, fmt.Errorf("%s: shard too short: %s %d bytes, but tensor %s needs bytes %d..%d (the manifest's tensors need %d)",
						blame, files, have, e.Name, e.Offset, e.Offset+e.Bytes, g.Bytes)
				}
			}
		}
		if have > g.Bytes {
			what := "no tensor"
			if n := len(g.Entries); n > 0 {
				what = "its last tensor, " + g.Entries[n-1].Name + ","
			}
			return nil, fmt.Errorf("%s: shard too long: %s %d bytes, %d more than the manifest's tensors need (%s ends at byte %d)",
				blame, files, have, have-g.Bytes, what, g.Bytes)
		}
	}
	return sizes, nil
}

// shardReader reads a group's shards one after the other, each no further
// than the size it had when checked, hashing what it reads.
type shardReader struct {
	dir   string
	paths []string
	sizes map[string]int64
	sum   hash.Hash
	cur   *os.File
	left  int64
	name  string
}

func (r *shardReader) Read(b []byte) (int, error) {
	for r.cur == nil || r.left == 0 {
		if r.cur != nil {
			r.cur.Close()
			r.cur = nil
		}
		if len(r.paths) == 0 {
			return 0, io.EOF
		}
		p := r.paths[0]
		r.paths = r.paths[1:]
		f, err := os.Open(filepath.Join(r.dir, p))
		if err != nil {
			return 0, err
		}
		r.cur, r.left, r.name = f, r.sizes[p], filepath.Join(r.dir, p)
	}
	if int64(len(b)) > r.left {
		b = b[:r.left]
	}
	n, err := r.cur.Read(b)
	r.left -= int64(n)
	r.sum.Write(b[:n])
	if err == io.EOF {
		if r.left > 0 {
			return n, fmt.Errorf("%s: shorter than when it was checked", r.name)
		}
		err = nil
	}
	return n, err
}

func (r *shardReader) close() {
	if r.cur != nil {
		r.cur.Close()
	}
}

// readShards reads every tensor of every group, dequantised to float32
// (REF §1.1: value = float32(float64(q)·scale + min)), into tensors of
// their manifest shapes. sizes are those checkShardSizes returned; sum
// hashes the shards' bytes in order. A zero scale is refused when the
// quantised values vary (they would all read as min), and so is a value
// that is not finite.
func readShards(dir string, groups []*mjGroup, sizes map[string]int64, sum hash.Hash) (map[string]*model.Tensor, error) {
	out := map[string]*model.Tensor{}
	buf := make([]byte, 1<<16)
	for _, g := range groups {
		r := &shardReader{dir: dir, paths: g.Paths, sizes: sizes, sum: sum}
		err := func() error {
			defer r.close()
			for _, e := range g.Entries {
				t := &model.Tensor{Shape: append([]int{}, e.Shape...), Data: make([]float32, e.Numel)}
				if err := readEntry(r, e, t.Data, buf); err != nil {
					where := filepath.Join(dir, g.Paths[0])
					if r.name != "" {
						where = r.name
					}
					return fmt.Errorf("%s: tensor %s: %v", where, e.Name, err)
				}
				if err := t.CheckFinite(); err != nil {
					return fmt.Errorf("%s: tensor %s: %v (a model's weights must be finite)", r.name, e.Name, err)
				}
				out[e.Name] = t
			}
			return nil
		}()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readEntry reads one tensor's stored values from r into dst.
func readEntry(r io.Reader, e *mjEntry, dst []float32, buf []byte) error {
	w := int(storeWidth[e.Store])
	per := len(buf) / w
	qmin, qmax := math.MaxInt, math.MinInt
	for i := 0; i < len(dst); i += per {
		n := min(per, len(dst)-i)
		b := buf[:n*w]
		if _, err := io.ReadFull(r, b); err != nil {
			if err == io.ErrUnexpectedEOF || err == io.EOF {
				return fmt.Errorf("the shards end inside it")
			}
			return err
		}
		out := dst[i : i+n]
		switch e.Store {
		case "float32":
			for k := range out {
				out[k] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*k:]))
			}
		case "float16":
			for k := range out {
				out[k] = model.Float32FromHalf(binary.LittleEndian.Uint16(b[2*k:]))
			}
		default:
			for k := range out {
				q := int(b[k])
				if w == 2 {
					q = int(binary.LittleEndian.Uint16(b[2*k:]))
				}
				qmin, qmax = min(qmin, q), max(qmax, q)
				out[k] = float32(float64(q)*e.Scale + e.Min)
			}
		}
	}
	if e.Scale == 0 && qmin < qmax {
		return fmt.Errorf("%s quantization scale 0 with values that vary (%d..%d): they would all read as min %v", e.Store, qmin, qmax, e.Min)
	}
	return nil
}

// shortShard is the shard of paths to blame for a group that holds too few
// or too many bytes: converters write every shard but the last at one
// size, so the first of the others whose size differs from the largest of
// them (a truncated download), or else the last.
func shortShard(paths []string, sizes map[string]int64) string {
	var full int64
	for _, p := range paths[:len(paths)-1] {
		full = max(full, sizes[p])
	}
	for _, p := range paths[:len(paths)-1] {
		if sizes[p] != full {
			return p
		}
	}
	return paths[len(paths)-1]
}
