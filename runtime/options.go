package runtime

import "errors"

// Options for opening a bundle under onnxruntime.
type Options struct {
	LibPath string // --ort-lib; "" to search (FindLibrary)
	Threads int    // intra-op threads per session; 0: onnxruntime's default
	// DecodeOnly loads the conductor and decoder graphs alone (what
	// generate.Sample and generate.Decode run), not the encoder nor the
	// full graph, whose building and loading cost a large model seconds
	// and gigabytes; Encode and Forward then return ErrNotLoaded.
	DecodeOnly bool
	// NoSpinning makes idle intra-op threads sleep instead of spinning
	// (session.intra_op.allow_spinning 0): on a machine whose cores other
	// work shares, spinning threads steal the time the busy ones need.
	NoSpinning bool
	// NoPrepacking keeps onnxruntime from repacking the weights into copies
	// of its own (session.disable_prepacking 1): it computes from the
	// weights mapped from the graphs' files, slower, in about half the
	// memory. For checks that run a big model a few times.
	NoPrepacking bool
	// ReleaseFull loads the full graph for each Forward and destroys its
	// session after it: the full graph holds every weight again, and its
	// mapped weights then go back before the generation graphs touch
	// theirs (a check that runs Forward once, with NoPrepacking, holds the
	// weights once instead of twice).
	ReleaseFull bool
}

// ErrNotLoaded is returned by Encode and Forward of a backend opened with
// Options.DecodeOnly.
var ErrNotLoaded = errors.New("onnxruntime: this graph was not loaded (the backend was opened to decode only)")
