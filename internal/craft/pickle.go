package craft

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// pickler writes pickle opcodes by hand (protocol 2, as torch.save does).
type pickler struct{ b []byte }

func (p *pickler) op(ops ...byte) { p.b = append(p.b, ops...) }

func (p *pickler) global(module, name string) {
	p.b = append(p.b, 'c')
	p.b = append(p.b, module+"\n"+name+"\n"...)
}

func (p *pickler) unicode(s string) {
	p.b = append(p.b, 'X')
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(s)))
	p.b = append(p.b, s...)
}

func (p *pickler) int(v int) {
	if v == int(int32(v)) {
		p.b = append(p.b, 'J') // BININT
		p.b = binary.LittleEndian.AppendUint32(p.b, uint32(int32(v)))
		return
	}
	p.b = append(p.b, 0x8a, 8) // LONG1, 8 bytes
	p.b = binary.LittleEndian.AppendUint64(p.b, uint64(v))
}

// PTTensor is one entry of a crafted state_dict: a view of storage Key.
type PTTensor struct {
	Name   string
	Key    string // the storage: data/KEY
	Numel  int    // the values the persistent id claims for the storage
	Offset int
	Size   []int
	Stride []int
}

// PTRecord is one zip record, written with the sizes given, true or not.
type PTRecord struct {
	Name       string // inside the archive folder, e.g. "data/0"
	Method     uint16
	Body       []byte // what the record holds uncompressed (for the checksum), or nil
	CRC32      uint32 // used when Body is nil
	Compressed []byte // the bytes stored
	Size       uint64 // the uncompressed size claimed
}

// Stored is a record stored uncompressed, as torch.save writes them.
func Stored(name string, body []byte) PTRecord {
	return PTRecord{Name: name, Method: zip.Store, Body: body, Compressed: body, Size: uint64(len(body))}
}

// StateDictPickle is the data.pkl of a state_dict holding the tensors
// (float32 storages).
func StateDictPickle(tensors []PTTensor) []byte {
	var p pickler
	p.op(0x80, 2)
	p.global("collections", "OrderedDict")
	p.op(')', 'R', '(')
	for _, t := range tensors {
		p.unicode(t.Name)
		p.global("torch._utils", "_rebuild_tensor_v2")
		p.op('(', '(')
		p.unicode("storage")
		p.global("torch", "FloatStorage")
		p.unicode(t.Key)
		p.unicode("cpu")
		p.int(t.Numel)
		p.op('t', 'Q')
		p.int(t.Offset)
		p.op('(')
		for _, d := range t.Size {
			p.int(d)
		}
		p.op('t', '(')
		for _, s := range t.Stride {
			p.int(s)
		}
		p.op('t', 0x89)
		p.global("collections", "OrderedDict")
		p.op(')', 'R', 't', 'R')
	}
	p.op('u', '.')
	return p.b
}

// PTZip writes a torch.save zip archive: archive/data.pkl and the records.
func PTZip(pkl []byte, records ...PTRecord) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	all := append([]PTRecord{Stored("data.pkl", pkl)}, records...)
	all = append(all, Stored("version", []byte("3\n")))
	for _, r := range all {
		crc := r.CRC32
		if r.Body != nil {
			crc = crc32.ChecksumIEEE(r.Body)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "archive/" + r.Name, Method: r.Method, CRC32: crc,
			CompressedSize64: uint64(len(r.Compressed)), UncompressedSize64: r.Size})
		if err != nil {
			panic(err) // writing to memory
		}
		w.Write(r.Compressed)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Floats is the little-endian float32 bytes of v.
func Floats(v ...float32) []byte {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

// DeflatedZeros returns a deflate stream of prefix followed by mib MiB of
// zeros that really decompresses to all of them (about 1 KiB per MiB), with
// the checksum and size of what it decompresses to.
func DeflatedZeros(prefix []byte, mib int) (stream []byte, crc uint32, size uint64) {
	var out, buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(prefix)
	w.Flush()
	zero := make([]byte, 1<<20)
	var chunks [3][]byte
	for i := range chunks {
		w.Write(zero)
		w.Flush()
		chunks[i] = append([]byte(nil), buf.Bytes()...)
		buf.Reset()
		if i == 0 {
			out.Write(chunks[0]) // the prefix and the first MiB
		}
	}
	if !bytes.Equal(chunks[1], chunks[2]) {
		panic("hostile: deflate's output for a MiB of zeros after zeros is not steady")
	}
	crc = crc32.ChecksumIEEE(prefix)
	for i := 0; i < mib; i++ {
		if i > 0 {
			out.Write(chunks[1])
		}
		crc = crc32.Update(crc, crc32.IEEETable, zero)
	}
	w.Close()
	out.Write(buf.Bytes()) // the final block
	if mib == 0 {
		panic(fmt.Sprintf("hostile: DeflatedZeros of %d MiB", mib))
	}
	return out.Bytes(), crc, uint64(len(prefix)) + uint64(mib)<<20
}
