package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable writes records as a table, one row a record: throughput,
// step time (with the bandwidth bound next to native's at batch 1), peak
// memory, native's ratio to the other runtime and, below float32, to
// native float32.
func WriteTable(w io.Writer, recs []Record) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\truntime\tprecision\tmode\tbatch\tthreads\tper second\tstep ms\tbound ms\tpeak RSS MiB\tnative/this\tthis/f32\t")
	for _, r := range recs {
		bound, ratio, f32r := "", "", ""
		if r.F32Ratio > 0 {
			f32r = fmt.Sprintf("%.2f", r.F32Ratio)
		}
		if r.BoundStepMS > 0 {
			bound = fmt.Sprintf("%.3f", r.BoundStepMS)
		}
		if r.NativeRatio > 0 {
			ratio = fmt.Sprintf("%.2f", r.NativeRatio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%.1f\t%.3f\t%s\t%.0f\t%s\t%s\t\n", r.Model, r.Runtime, r.Precision, r.Mode, r.Batch, r.Threads,
			r.throughput(), r.StepMS, bound, float64(r.PeakRSSBytes)/(1<<20), ratio, f32r)
	}
	return tw.Flush()
}
