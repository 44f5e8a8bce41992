package serve

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are a server's Prometheus metrics, in its own registry (so that
// several servers, in tests, never share counters).
type metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	inFlight       prometheus.Gauge
	queueDepth     *prometheus.GaugeVec
	rejected       *prometheus.CounterVec
	batchRequests  *prometheus.HistogramVec
	batchSequences *prometheus.HistogramVec
	batchSeconds   *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mvae_http_requests_total", Help: "HTTP requests answered, by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mvae_http_request_seconds", Help: "Time to answer an HTTP request, by route.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}, []string{"route"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "mvae_http_in_flight_requests", Help: "HTTP requests being answered.",
		}),
		queueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mvae_sample_queue_depth", Help: "Sample requests waiting for a batch, by model.",
		}, []string{"model"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mvae_sample_rejected_total", Help: "Sample requests refused because the queue was full, by model.",
		}, []string{"model"}),
		batchRequests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mvae_sample_batch_requests", Help: "Sample requests merged into one batch, by model.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}, []string{"model"}),
		batchSequences: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mvae_sample_batch_size", Help: "Sequences decoded in one batch, by model.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}, []string{"model"}),
		batchSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mvae_sample_batch_seconds", Help: "Time to decode one batch, by model.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 16),
		}, []string{"model"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.inFlight, m.queueDepth, m.rejected,
		m.batchRequests, m.batchSequences, m.batchSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
