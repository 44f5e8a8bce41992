package hostile

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"hash/crc32"
	"path/filepath"

	"github.com/musicvae-go/mvae/graphs"
	"github.com/musicvae-go/mvae/model"
)

// Bundles (NAME.mvae): zip members that inflate far beyond what they hold or
// what the bundle needs, members named twice, damaged members, and graph
// members a run that does not need them must never read.

// member is one zip entry: data is stored (or deflated, with deflate) by the
// zip writer; a raw member is written as it is under its own header.
type member struct {
	name    string
	data    []byte
	deflate bool
	raw     *rawMember
}

type rawMember struct {
	hdr  zip.FileHeader // Method, CRC32 and both sizes as declared
	data []byte         // the compressed bytes
}

// zipOf writes the members, in order, as a zip archive.
func zipOf(ms ...member) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range ms {
		if m.raw != nil {
			h := m.raw.hdr
			h.Name = m.name
			w, err := zw.CreateRaw(&h)
			if err != nil {
				panic(err)
			}
			w.Write(m.raw.data)
			continue
		}
		method := zip.Store
		if m.deflate {
			method = zip.Deflate
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: method})
		if err != nil {
			panic(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// zeroBomb is a deflated member of mib MiB of zeros, about 1 KiB a MiB:
// a deflate stream flushed after every MiB repeats the same bytes.
func zeroBomb(mib int) *rawMember {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	zero := make([]byte, 1<<20)
	w.Write(zero)
	w.Flush()
	block := append([]byte{}, buf.Bytes()...)
	w.Close()
	tail := buf.Bytes()[len(block):]
	data := make([]byte, 0, mib*len(block)+len(tail))
	crc := uint32(0)
	for i := 0; i < mib; i++ {
		data = append(data, block...)
		crc = crc32.Update(crc, crc32.IEEETable, zero)
	}
	data = append(data, tail...)
	return &rawMember{hdr: zip.FileHeader{Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(mib) << 20}, data: data}
}

// damaged is a deflated member whose bytes are not deflate data at all.
func damaged(size int) *rawMember {
	data := bytes.Repeat([]byte{0xff, 0x13, 0x77}, size/3+1)[:size]
	return &rawMember{hdr: zip.FileHeader{Method: zip.Deflate, CRC32: 12345,
		CompressedSize64: uint64(size), UncompressedSize64: uint64(4 * size)}, data: data}
}

// tinyManifest is mvae.json of the tiny model with graphs (name -> member).
func tinyManifest(gs map[string]string, dtype string) []byte {
	m := model.Manifest{Format: model.BundleFormat, Config: tinyConfig(), Weights: "weights.safetensors", WeightsDType: model.Precision(dtype), Graphs: gs}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// tinySafetensors is the tiny model's weights.safetensors, changed by f.
func tinySafetensors(half bool, f func(w model.Weights)) []byte {
	c := tinyConfig()
	w := tinyWeights(c)
	if f != nil {
		f(w)
	}
	var buf bytes.Buffer
	if err := model.WriteSafetensors(&buf, w.Names(c), w, nil, half); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// tinyGraphs are the tiny model's graphs, as mvae import stores them.
func tinyGraphs(w model.Weights) map[string][]byte {
	gs, err := graphs.BuildAll(tinyConfig(), w)
	if err != nil {
		panic(err)
	}
	return gs
}

// bundleWith is a bundle of the tiny model: its weights (weights.safetensors
// from st, or the tiny weights), and for each graph either a member given in
// ms or the graph built from the tiny weights.
func bundleWith(st []byte, ms ...member) []byte {
	if st == nil {
		st = tinySafetensors(false, nil)
	}
	given := map[string]bool{}
	for _, m := range ms {
		given[m.name] = true
	}
	gs := map[string]string{}
	out := []member{{name: "weights.safetensors", data: st}}
	for n, g := range tinyGraphs(tinyWeights(tinyConfig())) {
		p := "graphs/" + n + ".onnx"
		gs[n] = p
		if !given[p] {
			out = append(out, member{name: p, data: g, deflate: true})
		}
	}
	out = append(out, ms...)
	return zipOf(append([]member{{name: "mvae.json", data: tinyManifest(gs, "float32"), deflate: true}}, out...)...)
}

// bundleCase registers a crafted bundle run through `mvae ARGS...`, where
// the argument "BUNDLE" stands for the bundle's path.
func bundleCase(name string, data func() []byte, want []string, exitZero, needsORT bool, args ...string) {
	Register(Case{
		Name: name,
		Make: func(dir string) ([]string, string, error) {
			p, err := writeFile(dir, "model.mvae", data())
			if err != nil {
				return nil, "", err
			}
			a := append([]string{}, args...)
			for i, s := range a {
				switch s {
				case "BUNDLE":
					a[i] = p
				case "OUT":
					a[i] = filepath.Join(dir, "out")
				}
			}
			return a, p, nil
		},
		Want:     want,
		ExitZero: exitZero,
		NeedsORT: needsORT,
	})
}

// generateNative and the others are the commands the cases run.
var (
	generateNative = []string{"generate", "--model", "BUNDLE", "-n", "1", "-o", "OUT"}
	generateORT    = []string{"generate", "--model", "BUNDLE", "--runtime", "ort", "-n", "1", "-o", "OUT"}
	info           = []string{"info", "BUNDLE"}
)

// BundleSeeds are the small crafted bundles, for the fuzz corpora.
func BundleSeeds() map[string][]byte {
	out := map[string][]byte{}
	for _, s := range bundleSeeds {
		out[s.name] = s.make()
	}
	return out
}

type bundleSeed struct {
	name string
	make func() []byte
	want []string
}

// The small crafted bundles, each refused by every command that opens it.
var bundleSeeds = []bundleSeed{
	{"not-zip", func() []byte { return []byte("this is not a zip archive, not an mvae bundle") }, []string{"not a zip"}},
	{"no-manifest", func() []byte { return zipOf(member{name: "weights.safetensors", data: tinySafetensors(false, nil)}) }, []string{"no mvae.json"}},
	{"member-twice", func() []byte {
		m := member{name: "mvae.json", data: tinyManifest(nil, "float32")}
		return zipOf(m, m, member{name: "weights.safetensors", data: tinySafetensors(false, nil)})
	}, []string{"two zip members", "mvae.json"}},
	{"manifest-names-missing-member", func() []byte {
		return zipOf(member{name: "mvae.json", data: tinyManifest(map[string]string{"encoder": "graphs/nowhere.onnx"}, "float32")},
			member{name: "weights.safetensors", data: tinySafetensors(false, nil)})
	}, []string{"graphs/nowhere.onnx"}},
	{"manifest-names-weights-as-graph", func() []byte {
		return zipOf(member{name: "mvae.json", data: tinyManifest(map[string]string{"encoder": "weights.safetensors"}, "float32")},
			member{name: "weights.safetensors", data: tinySafetensors(false, nil)})
	}, []string{"weights.safetensors", "both"}},
	{"manifest-not-json", func() []byte {
		return zipOf(member{name: "mvae.json", data: []byte("{not json")}, member{name: "weights.safetensors", data: tinySafetensors(false, nil)})
	}, []string{"mvae.json"}},
}

func init() {
	for _, s := range bundleSeeds {
		bundleCase("bundle/"+s.name, s.make, s.want, false, false, info...)
		bundleCase("bundle/"+s.name+"-generate", s.make, s.want, false, false, generateNative...)
	}
	// A graph member of 4 GiB in 4 MiB, named by every graph entry.
	bombEverywhere := func() []byte {
		gs := map[string]string{}
		for _, n := range graphs.Names() {
			gs[n] = "graphs/bomb.onnx"
		}
		return zipOf(member{name: "mvae.json", data: tinyManifest(gs, "float32")},
			member{name: "weights.safetensors", data: tinySafetensors(false, nil)},
			member{name: "graphs/bomb.onnx", raw: zeroBomb(4096)})
	}
	bundleCase("bundle/graph-bomb-named-by-every-graph", bombEverywhere, []string{"graphs/bomb.onnx", "both"}, false, false, info...)
	bundleCase("bundle/graph-bomb-named-by-every-graph-generate", bombEverywhere, []string{"graphs/bomb.onnx", "both"}, false, false, generateNative...)
	// One graph member of 4 GiB: never read by info or a native run.
	bomb := func() []byte { return bundleWith(nil, member{name: "graphs/encoder.onnx", raw: zeroBomb(4096)}) }
	bundleCase("bundle/graph-bomb-info", bomb, nil, true, false, info...)
	bundleCase("bundle/graph-bomb-native", bomb, nil, true, false, generateNative...)
	// Every graph member damaged: a native run never opens them.
	corrupt := func() []byte {
		var ms []member
		for _, n := range graphs.Names() {
			ms = append(ms, member{name: "graphs/" + n + ".onnx", raw: damaged(3000)})
		}
		return bundleWith(nil, ms...)
	}
	bundleCase("bundle/damaged-graphs-native", corrupt, nil, true, false, generateNative...)
	bundleCase("bundle/damaged-graphs-info", corrupt, nil, true, false, info...)
	// The weights as a 4 GiB bomb: refused before anything is inflated.
	weightsBomb := func() []byte {
		return zipOf(member{name: "mvae.json", data: tinyManifest(nil, "float32")},
			member{name: "weights.safetensors", raw: zeroBomb(4096)})
	}
	bundleCase("bundle/weights-bomb", weightsBomb, []string{"weights.safetensors", "declares"}, false, false, generateNative...)
	// Weights whose checksum is wrong.
	badCRC := func() []byte {
		st := tinySafetensors(false, nil)
		return zipOf(member{name: "mvae.json", data: tinyManifest(nil, "float32")},
			member{name: "weights.safetensors", raw: &rawMember{hdr: zip.FileHeader{Method: zip.Store, CRC32: crc32.ChecksumIEEE(st) + 1,
				CompressedSize64: uint64(len(st)), UncompressedSize64: uint64(len(st))}, data: st}})
	}
	bundleCase("bundle/weights-checksum", badCRC, []string{"weights.safetensors", "checksum"}, false, false, generateNative...)
}
