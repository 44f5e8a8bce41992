package serve

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// metricValue reads one sample of /metrics (a line that starts with name).
func metricValue(t testing.TB, c *http.Client, base, name string) float64 {
	t.Helper()
	resp, err := c.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == name {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("/metrics has no %s", name)
	return 0
}

// loadResult is what a load run measured.
type loadResult struct {
	requests, errors int
	elapsed          time.Duration
	lat              []time.Duration
	firstErr         error
}

func (r *loadResult) String() string {
	slices.Sort(r.lat)
	q := func(p float64) time.Duration {
		if len(r.lat) == 0 {
			return 0
		}
		return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))]
	}
	return fmt.Sprintf("%d requests in %v: %.0f requests/s, p50 %v, p99 %v, %d errors",
		r.requests, r.elapsed.Round(time.Millisecond), float64(r.requests)/r.elapsed.Seconds(),
		q(0.50).Round(time.Microsecond), q(0.99).Round(time.Microsecond), r.errors)
}

// load sends sample requests from clients goroutines for d.
func load(c *http.Client, url string, clients int, d time.Duration) *loadResult {
	var mu sync.Mutex
	res := &loadResult{}
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			var first error
			for time.Now().Before(deadline) {
				t0 := time.Now()
				resp, err := c.Post(url, "application/json", strings.NewReader(`{"n":1,"temperature":0.5}`))
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %s", resp.Status)
					}
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.requests += len(lat) + errs
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// settle waits for the goroutines to fall back to at most want.
func settle(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 100 && n > want; i++ {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// TestLoad puts a server under 32 concurrent sampling clients for 2 s (0.5 s
// with -short) and checks: no error, the requests batched (fewer batches
// than requests), and no goroutine or memory left behind once it stops.
func TestLoad(t *testing.T) {
	d := 2 * time.Second
	if testing.Short() {
		d = 500 * time.Millisecond
	}
	goroutines := runtime.NumGoroutine()
	heap := heapInuse()
	func() {
		s := tinyServer(t, Options{})
		base, stop := listen(t, s)
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
		defer tr.CloseIdleConnections()
		res := load(c, base+"/api/sample", 32, d)
		t.Logf("load (tiny groove_4bar, 32 clients, native): %v", res)
		if res.errors > 0 {
			t.Fatalf("%d of %d requests failed; first: %v", res.errors, res.requests, res.firstErr)
		}
		batches := metricValue(t, c, base, `mvae_sample_batch_requests_count{model="groove"}`)
		merged := metricValue(t, c, base, `mvae_sample_batch_requests_sum{model="groove"}`)
		t.Logf("batching: %v requests in %v batches (%.1f a batch)", merged, batches, merged/batches)
		if int(merged) != res.requests || batches >= merged {
			t.Fatalf("%v requests in %v batches: want fewer batches than the %d requests", merged, batches, res.requests)
		}
		healthy(t, base)
		tr.CloseIdleConnections()
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}()
	// The server's cleanup runs at the end of the test: what must be gone
	// now is every connection and request goroutine.
	if n := settle(goroutines + 4); n > goroutines+4 {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after the load, %d before:\n%s", n, goroutines, buf[:runtime.Stack(buf, true)])
	}
	if h := heapInuse(); h > heap+64<<20 {
		t.Fatalf("heap in use grew from %d to %d bytes", heap, h)
	}
}

// BenchmarkSample measures concurrent /api/sample requests on loopback, on
// the tiny groove model and the embedded default model: batched (the
// default window and batch), batched with no wait (a batch is what queued
// while the last ran), and one request a batch.
func BenchmarkSample(b *testing.B) {
	for _, m := range []string{"tiny", "default"} {
		for _, v := range []struct {
			name string
			lim  Limits
		}{
			{"window2ms", Limits{}},
			{"nowait", Limits{Window: -1}},
			{"unbatched", Limits{Window: -1, MaxBatch: 1}},
		} {
			b.Run(m+"/"+v.name, func(b *testing.B) { benchSample(b, m, v.lim) })
		}
	}
}

func benchSample(b *testing.B, which string, lim Limits) {
	var s *Server
	if which == "tiny" {
		s = tinyServer(b, Options{Limits: lim})
	} else {
		s = newServer(b, []Spec{{Name: "groove", Path: "default"}}, nil, Options{Limits: lim})
	}
	base, _ := listen(b, s)
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	c := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Post(base+"/api/sample", "application/json", strings.NewReader(`{"n":1}`))
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %s", resp.Status)
				return
			}
		}
	})
	b.StopTimer()
	batches := metricValue(b, c, base, `mvae_sample_batch_requests_count{model="groove"}`)
	merged := metricValue(b, c, base, `mvae_sample_batch_requests_sum{model="groove"}`)
	if batches > 0 {
		b.ReportMetric(merged/batches, "requests/batch")
	}
}
