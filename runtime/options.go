package runtime

// Options for opening a bundle under onnxruntime.
type Options struct {
	LibPath string // --ort-lib; "" to search (FindLibrary)
	Threads int    // intra-op threads per session; 0: onnxruntime's default
}
