package bench

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable writes records as a table, one row a record: throughput,
// step time (with the bandwidth bound next to native's at batch 1), peak
// memory and native's ratio.
func WriteTable(w io.Writer, recs []Record) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "model\truntime\tmode\tbatch\tthreads\tper second\tstep ms\tbound ms\tpeak RSS MiB\tnative/this\t")
	for _, r := range recs {
		bound, ratio := "", ""
		if r.BoundStepMS > 0 {
			bound = fmt.Sprintf("%.3f", r.BoundStepMS)
		}
		if r.NativeRatio > 0 {
			ratio = fmt.Sprintf("%.2f", r.NativeRatio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.1f\t%.3f\t%s\t%.0f\t%s\t\n", r.Model, r.Runtime, r.Mode, r.Batch, r.Threads,
			r.throughput(), r.StepMS, bound, float64(r.PeakRSSBytes)/(1<<20), ratio)
	}
	return tw.Flush()
}
