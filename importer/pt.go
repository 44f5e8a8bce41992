package importer

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/pytorch"
	"github.com/nlpodyssey/gopickle/types"

	"github.com/musicvae-go/mvae/model"
)

// Reading a PyTorch state_dict saved by torch.save (the zip format of
// PyTorch 1.6 and later): ARCHIVE/data.pkl is a pickle whose tensors point at
// storages ARCHIVE/data/KEY. github.com/nlpodyssey/gopickle unpickles it; mvae
// scans the pickle first (scanPickle) and drives the unpickler itself
// (instead of pytorch.Load) so that every storage is checked against its zip
// record before anything is allocated, and a tensor's offset, sizes and
// strides are checked against its storage.

// Bounds on what reading a .pt allocates.
const (
	// MaxPTBytes bounds the values of all storages and tensors together, as
	// mvae holds them (float32; float64 storages count twice).
	MaxPTBytes = MaxImportSize
	// MaxPTDeflateRatio bounds how much a deflated record may expand.
	// torch.save stores its records uncompressed, and weights are noise to
	// deflate: a record that claims to expand more than this is not weights.
	MaxPTDeflateRatio = 64
	// maxPTName bounds a state_dict key or storage key.
	maxPTName = 1 << 10
)

// fromPT imports a state_dict read through r (size bytes): each storage is
// read from its zip record into the values mvae keeps, never the file whole.
func fromPT(r io.ReaderAt, size int64, o Options) (*Result, error) {
	sd, err := readStateDictAt(r, size)
	if err != nil {
		return nil, err
	}
	res := &Result{Weights: sd}
	res.Provenance.SourceKind = "pt"
	sh, err := shownByWeights(sd)
	if err != nil {
		return nil, err
	}
	if o.Config == nil && (o.Bars == 0 || o.Segments == 0) {
		return nil, ErrNeedBarsSegments
	}
	cfg, notes, err := reconcile(sh, nil, o)
	if err != nil {
		return nil, err
	}
	res.Config, res.Notes = cfg, notes
	if err := sd.Check(cfg); err != nil {
		return nil, err
	}
	return res, nil
}

// quote shows a name from the file in a message, cut to a readable length.
func quote(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q… (%d bytes)", s[:80], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// zipKind names the kind of a zip archive that is no PyTorch file.
func zipKind(records map[string]*zip.File) string {
	if _, ok := records["mvae.json"]; ok {
		return "an mvae bundle"
	}
	npy := 0
	for name := range records {
		if strings.HasSuffix(name, ".npy") {
			npy++
		}
	}
	if npy > 0 && npy == len(records) {
		return "a NumPy .npz archive"
	}
	return "a zip archive"
}

// checkRecord checks that a zip record can hold the size it claims: a stored
// record holds exactly its bytes, a deflated one at most ratio times them.
func checkRecord(f *zip.File, ratio uint64) error {
	switch f.Method {
	case zip.Store:
		if f.UncompressedSize64 != f.CompressedSize64 {
			return fmt.Errorf("stored uncompressed, yet it claims %d bytes in %d", f.UncompressedSize64, f.CompressedSize64)
		}
	case zip.Deflate:
		if f.UncompressedSize64/ratio > f.CompressedSize64 {
			return fmt.Errorf("claims %d bytes from %d compressed, more than %d times (torch.save does not compress)", f.UncompressedSize64, f.CompressedSize64, ratio)
		}
	default:
		return fmt.Errorf("compression method %d is not supported (torch.save stores records uncompressed)", f.Method)
	}
	return nil
}

func readStateDict(data []byte) (model.Weights, error) {
	return readStateDictAt(bytes.NewReader(data), int64(len(data)))
}

func readStateDictAt(r io.ReaderAt, size int64) (w model.Weights, err error) {
	defer func() {
		// gopickle indexes its stacks without checks; a hostile pickle makes it panic.
		if p := recover(); p != nil {
			w, err = nil, fmt.Errorf("corrupt data.pkl: the pickle reader failed: %v", p)
		}
	}()
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("not a PyTorch zip file: %v", err)
	}
	records := map[string]*zip.File{}
	prefix := ""
	for _, f := range zr.File {
		if _, dup := records[f.Name]; dup {
			return nil, fmt.Errorf("corrupt PyTorch file: record %s appears twice in the zip archive", quote(f.Name))
		}
		records[f.Name] = f
		if strings.HasSuffix(f.Name, "/data.pkl") && strings.Count(f.Name, "/") == 1 {
			if prefix != "" {
				return nil, fmt.Errorf("corrupt PyTorch file: two data.pkl records (%s and %s)", quote(prefix+"data.pkl"), quote(f.Name))
			}
			prefix = strings.TrimSuffix(f.Name, "data.pkl")
		}
	}
	if prefix == "" {
		return nil, fmt.Errorf("%s, not a PyTorch state_dict: it has no data.pkl", zipKind(records))
	}
	if _, ok := records[prefix+"constants.pkl"]; ok {
		return nil, fmt.Errorf("a TorchScript archive, not a state_dict: save with torch.save(model.state_dict(), path)")
	}
	pkl := records[prefix+"data.pkl"]
	if pkl.UncompressedSize64 > maxPickleBytes {
		return nil, fmt.Errorf("data.pkl is %d bytes; a state_dict's is far smaller (at most %d)", pkl.UncompressedSize64, maxPickleBytes)
	}
	if err := checkRecord(pkl, MaxPTDeflateRatio); err != nil {
		return nil, fmt.Errorf("data.pkl: %v", err)
	}
	rc, err := pkl.Open()
	if err != nil {
		return nil, fmt.Errorf("data.pkl: %v", err)
	}
	stream, err := io.ReadAll(io.LimitReader(rc, int64(pkl.UncompressedSize64)+1))
	rc.Close()
	if err != nil {
		return nil, fmt.Errorf("data.pkl: %v", err)
	}
	if err := scanPickle(stream); err != nil {
		return nil, fmt.Errorf("corrupt data.pkl: %v", err)
	}
	u := pickle.NewUnpickler(bytes.NewReader(stream))
	fallback := u.FindClass
	u.FindClass = func(module, name string) (any, error) {
		switch module + "." + name {
		case "torch._utils._rebuild_tensor_v2":
			return rebuildTensor{}, nil
		case "torch.FloatStorage":
			return &pytorch.FloatStorageClass{}, nil
		case "torch.HalfStorage":
			return &pytorch.HalfStorageClass{}, nil
		case "torch.BFloat16Storage":
			return &pytorch.BFloat16StorageClass{}, nil
		case "torch.DoubleStorage":
			return &pytorch.DoubleStorageClass{}, nil
		case "collections.OrderedDict":
			return fallback(module, name)
		case "torch._utils._rebuild_parameter":
			return rebuildParameter{}, nil
		}
		if strings.HasPrefix(module, "torch") && strings.HasSuffix(name, "Storage") {
			return nil, fmt.Errorf("tensor storage %s.%s: mvae reads float32, float16, bfloat16 and float64 weights", module, name)
		}
		return nil, fmt.Errorf("the pickle asks for %s.%s; a state_dict holds only tensors (save model.state_dict(), not the model)", quote(module), quote(name))
	}
	loaded := map[string]pytorch.StorageInterface{}
	var used uint64 // bytes of values allocated, against MaxPTBytes
	u.PersistentLoad = func(id any) (any, error) {
		t, ok := id.(*types.Tuple)
		if !ok || t.Len() < 5 {
			return nil, fmt.Errorf("a persistent id of type %T; a state_dict's are tuples ('storage', class, key, location, size)", id)
		}
		kind, _ := t.Get(0).(string)
		class, okc := t.Get(1).(pytorch.StorageClassInterface)
		key, okk := t.Get(2).(string)
		loc, _ := t.Get(3).(string)
		n, okn := t.Get(4).(int)
		if kind != "storage" || !okc || !okk || !okn {
			return nil, fmt.Errorf("a persistent id (%T, %T, %T, %T, %T); a state_dict's are ('storage', class, key, location, size)",
				t.Get(0), t.Get(1), t.Get(2), t.Get(3), t.Get(4))
		}
		if len(key) > maxPTName {
			return nil, fmt.Errorf("storage key %s is implausibly long", quote(key))
		}
		if s, ok := loaded[key]; ok {
			return s, nil
		}
		rec, ok := records[prefix+"data/"+key]
		if !ok {
			return nil, fmt.Errorf("storage %s is missing from the archive (truncated file?)", quote(key))
		}
		size, held := uint64(4), uint64(4)
		switch class.(type) {
		case *pytorch.HalfStorageClass, *pytorch.BFloat16StorageClass:
			size = 2
		case *pytorch.DoubleStorageClass:
			size, held = 8, 12 // the float64 values and their float32 copy
		}
		if err := checkRecord(rec, MaxPTDeflateRatio); err != nil {
			return nil, fmt.Errorf("storage %s: %v", quote(key), err)
		}
		if n < 0 || uint64(n) > MaxPTBytes/size {
			return nil, fmt.Errorf("storage %s claims %d values, more than mvae imports (%d bytes)", quote(key), n, uint64(MaxPTBytes))
		}
		if uint64(n)*size != rec.UncompressedSize64 {
			return nil, fmt.Errorf("storage %s claims %d values of %d bytes, its record holds %d bytes", quote(key), n, size, rec.UncompressedSize64)
		}
		if used += uint64(n) * held; used > MaxPTBytes {
			return nil, fmt.Errorf("the storages hold more than %d bytes of values, more than mvae imports", uint64(MaxPTBytes))
		}
		f, err := rec.Open()
		if err != nil {
			return nil, fmt.Errorf("storage %s: %v", quote(key), err)
		}
		defer f.Close()
		s := class.New(n, loc)
		if err := s.SetFromFileWithSize(io.LimitReader(f, int64(n)*int64(size)), n); err != nil {
			return nil, fmt.Errorf("storage %s: %v", quote(key), err)
		}
		// Read to the end so that archive/zip checks the size and checksum.
		if _, err := io.Copy(io.Discard, f); err != nil {
			return nil, fmt.Errorf("storage %s: %v", quote(key), err)
		}
		if d, ok := s.(*pytorch.DoubleStorage); ok {
			// mvae holds float32: convert once, for every view.
			f32 := make([]float32, len(d.Data))
			for i, v := range d.Data {
				f32[i] = float32(v)
			}
			s = &pytorch.FloatStorage{BaseStorage: d.BaseStorage, Data: f32}
			used -= uint64(n) * 8
		}
		loaded[key] = s
		return s, nil
	}
	obj, err := u.Load()
	if err != nil {
		return nil, fmt.Errorf("corrupt data.pkl: %v", err)
	}
	od, ok := obj.(*types.OrderedDict)
	if !ok {
		if d, isDict := obj.(*types.Dict); isDict {
			for _, k := range []string{"state_dict", "model"} {
				if v, found := d.Get(k); found {
					if inner, ok2 := v.(*types.OrderedDict); ok2 {
						od, ok = inner, true
						break
					}
				}
			}
		}
	}
	if !ok {
		return nil, fmt.Errorf("the file holds a %T, not a state_dict (an OrderedDict of tensors)", obj)
	}
	// Check every view before copying any, so that views adding up to more
	// than mvae imports are refused before they are allocated.
	type entry struct {
		name string
		t    *pytorch.Tensor
		src  []float32
		n    int
	}
	var entries []entry
	owned := map[pytorch.StorageInterface]bool{}
	for e := od.List.Front(); e != nil; e = e.Next() {
		ent := e.Value.(*types.OrderedDictEntry)
		name, ok := ent.Key.(string)
		if !ok {
			return nil, fmt.Errorf("a state_dict key of type %T, not a string", ent.Key)
		}
		if len(name) > maxPTName {
			return nil, fmt.Errorf("state_dict key %s is implausibly long", quote(name))
		}
		t, ok := ent.Value.(*pytorch.Tensor)
		if !ok {
			return nil, fmt.Errorf("state_dict entry %s is a %T, not a tensor", quote(name), ent.Value)
		}
		src, n, whole, err := checkView(t)
		if err != nil {
			return nil, fmt.Errorf("tensor %s: %v", name, err)
		}
		if whole && !owned[t.Source] {
			owned[t.Source] = true // the tensor takes the storage's values
			n = -1
		} else if used += 4 * uint64(n); used > MaxPTBytes {
			return nil, fmt.Errorf("the tensors' views add up to more than %d bytes of values, more than mvae imports", uint64(MaxPTBytes))
		}
		entries = append(entries, entry{name, t, src, n})
	}
	w = model.Weights{}
	for _, e := range entries {
		x := &model.Tensor{Shape: append([]int{}, e.t.Size...), Data: e.src}
		if e.n >= 0 {
			x.Data = make([]float32, e.n)
			gather(x.Data, e.src, e.t.StorageOffset, e.t.Size, e.t.Stride)
		}
		if err := model.CheckFinite(e.name, x); err != nil {
			return nil, err
		}
		w[e.name] = x
	}
	return w, nil
}

// rebuildParameter unwraps torch.nn.Parameter (a state_dict of a module
// pickled with keep_vars=True).
type rebuildParameter struct{}

func (rebuildParameter) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, fmt.Errorf("_rebuild_parameter without arguments")
	}
	return args[0], nil
}

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, offset, size,
// stride, requires_grad, hooks[, metadata]). Unlike gopickle's, its errors
// name the types it got, never the values (a storage or a tuple may be huge).
type rebuildTensor struct{}

func (rebuildTensor) Call(args ...any) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("_rebuild_tensor_v2 with %d arguments, want 6 or 7", len(args))
	}
	storage, ok0 := args[0].(pytorch.StorageInterface)
	offset, ok1 := args[1].(int)
	size, ok2 := args[2].(*types.Tuple)
	stride, ok3 := args[3].(*types.Tuple)
	if !ok0 || !ok1 || !ok2 || !ok3 {
		return nil, fmt.Errorf("_rebuild_tensor_v2(%T, %T, %T, %T, …); want (storage, int, tuple, tuple, …)", args[0], args[1], args[2], args[3])
	}
	ints := func(what string, t *types.Tuple) ([]int, error) {
		out := make([]int, t.Len())
		for i := range out {
			v, ok := t.Get(i).(int)
			if !ok {
				return nil, fmt.Errorf("_rebuild_tensor_v2: %s element %d is a %T, not an int", what, i, t.Get(i))
			}
			out[i] = v
		}
		return out, nil
	}
	if size.Len() > 32 || stride.Len() > 32 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: %d dimensions", max(size.Len(), stride.Len()))
	}
	sz, err := ints("size", size)
	if err != nil {
		return nil, err
	}
	st, err := ints("stride", stride)
	if err != nil {
		return nil, err
	}
	return &pytorch.Tensor{Source: storage, StorageOffset: offset, Size: sz, Stride: st}, nil
}

// checkView checks a tensor's view of its storage: offset, sizes and strides
// non-negative, no stride 0 along a dimension of more than one value, no more
// values than the storage holds, every value inside the storage. It returns the
// storage's values, how many the view holds, and whether the view is the
// whole storage in order.
func checkView(t *pytorch.Tensor) (src []float32, n int, whole bool, err error) {
	switch s := t.Source.(type) {
	case *pytorch.FloatStorage:
		src = s.Data
	case *pytorch.HalfStorage:
		src = s.Data
	case *pytorch.BFloat16Storage:
		src = s.Data
	default:
		return nil, 0, false, fmt.Errorf("storage of type %T", t.Source)
	}
	if len(t.Size) != len(t.Stride) {
		return nil, 0, false, fmt.Errorf("size %v and stride %v differ in rank", t.Size, t.Stride)
	}
	view := func(problem string) error {
		return fmt.Errorf("view (offset %d, size %v, stride %v) of a storage of %d values: %s", t.StorageOffset, t.Size, t.Stride, len(src), problem)
	}
	if t.StorageOffset < 0 {
		return nil, 0, false, view("negative offset")
	}
	if t.StorageOffset > len(src) {
		return nil, 0, false, view("the offset is past the storage")
	}
	n, last, contiguous := 1, t.StorageOffset, true
	for i := len(t.Size) - 1; i >= 0; i-- {
		d, s := t.Size[i], t.Stride[i]
		switch {
		case d < 0:
			return nil, 0, false, view("negative size")
		case s < 0:
			return nil, 0, false, view("negative stride")
		case d > 1 && s == 0:
			return nil, 0, false, view("stride 0 repeats one value along a dimension (mvae reads dense weights)")
		case d > 1 && s > len(src):
			return nil, 0, false, view("reaches past the storage")
		}
		if d == 0 {
			n = 0
			continue
		}
		if n > len(src)/d {
			return nil, 0, false, view("the view holds more values than the storage")
		}
		if d > 1 && s != n {
			contiguous = false
		}
		n *= d
		last += (d - 1) * s // offset, d and s ≤ len(src) ≤ 2^29: no overflow
	}
	if n == 0 {
		return nil, 0, false, nil
	}
	if last >= len(src) {
		return nil, 0, false, view("reaches past the storage")
	}
	return src, n, contiguous && t.StorageOffset == 0 && n == len(src), nil
}

// gather copies a strided view of src into dst (C order); checkView has
// checked the view. The reference loop, for each multi-index idx of size:
//
//	off := offset
//	for i := range idx {
//		off += idx[i] * stride[i]
//	}
//	dst[k] = src[off] // k: idx's C-order position
func gather(dst, src []float32, offset int, size, stride []int) {
	idx := make([]int, len(size))
	for k := range dst {
		off := offset
		for i, v := range idx {
			off += v * stride[i]
		}
		dst[k] = src[off]
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < size[i] {
				break
			}
			idx[i] = 0
		}
	}
}

// shownByWeights reads the sizes a state_dict's shapes show.
func shownByWeights(w model.Weights) (*shown, error) {
	get := func(name string, rank int) ([]int, error) {
		t, ok := w[name]
		if !ok {
			var have []string
			for k := range w {
				have = append(have, k)
			}
			sort.Strings(have)
			if len(have) > 8 {
				have = append(have[:8], "...")
			}
			return nil, fmt.Errorf("not a MusicVAE state_dict: no %s (it holds %s)", name, strings.Join(have, ", "))
		}
		if len(t.Shape) != rank {
			return nil, fmt.Errorf("%s has shape %v; want rank %d", name, t.Shape, rank)
		}
		return t.Shape, nil
	}
	sh := &shown{}
	s, err := get("encoder.lstm.weight_ih_l0", 2)
	if err != nil {
		return nil, err
	}
	sh.He, sh.D = s[0]/4, s[1]
	s, err = get("encoder.mu.weight", 2)
	if err != nil {
		return nil, err
	}
	sh.Z = s[0]
	s, err = get("conductor.lstm.weight_hh_l0", 2)
	if err != nil {
		return nil, err
	}
	sh.Hc = s[1]
	s, err = get("decoder.lstm.weight_hh_l0", 2)
	if err != nil {
		return nil, err
	}
	sh.Hd = s[1]
	layers := func(prefix string) int {
		k := 0
		for {
			if _, ok := w[fmt.Sprintf("%s.weight_ih_l%d", prefix, k)]; !ok {
				return k
			}
			k++
		}
	}
	sh.Le, sh.Lc, sh.Ld = layers("encoder.lstm"), layers("conductor.lstm"), layers("decoder.lstm")
	return sh, nil
}
