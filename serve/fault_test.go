package serve

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/musicvae-go/mvae/model"
)

// faultServer is a tiny server with a small body limit and short read
// timeouts, serving on loopback.
func faultServer(t *testing.T) (base, addr string) {
	t.Helper()
	s := tinyServer(t, Options{
		Limits:   Limits{MaxBody: 64 << 10},
		Timeouts: Timeouts{ReadHeader: 300 * time.Millisecond, Read: time.Second, Write: 10 * time.Second, Idle: 2 * time.Second},
	})
	base, _ = listen(t, s)
	return base, strings.TrimPrefix(base, "http://")
}

// rawStatus reads the status line the server answers on conn, or "" when it
// closes the connection without one.
func rawStatus(t *testing.T, conn net.Conn, within time.Duration) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(within))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server neither answered nor closed the connection within %v", within)
	}
	return strings.TrimSpace(line)
}

// TestBadUploads sends malformed, truncated, huge and slow uploads: each is
// refused with the reason, and the server keeps serving.
func TestBadUploads(t *testing.T) {
	base, addr := faultServer(t)
	c := &http.Client{Timeout: 10 * time.Second}
	mid := midiOf(t, model.TinyFamilies()["groove_4bar"], 1)
	multi := func(data []byte) (io.Reader, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "x.mid")
		fw.Write(data)
		mw.Close()
		return &b, mw.FormDataContentType()
	}
	huge := bytes.Repeat([]byte("MThd"), 64<<10)
	cases := []struct {
		name, path string
		body       func() (io.Reader, string)
		code       int
		err        string
	}{
		{"malformed", "/api/encode", func() (io.Reader, string) { return strings.NewReader("this is not a MIDI file"), "audio/midi" }, 400, codeBadRequest},
		{"empty", "/api/encode", func() (io.Reader, string) { return strings.NewReader(""), "audio/midi" }, 400, codeBadRequest},
		{"truncated", "/api/encode", func() (io.Reader, string) { return bytes.NewReader(mid[:len(mid)/2]), "audio/midi" }, 400, codeBadRequest},
		{"truncated multipart", "/api/encode", func() (io.Reader, string) {
			r, ct := multi(mid)
			b, _ := io.ReadAll(r)
			return bytes.NewReader(b[:len(b)-20]), ct
		}, 400, codeBadRequest},
		{"multipart without file", "/api/encode", func() (io.Reader, string) {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			mw.WriteField("other", "x")
			mw.Close()
			return &b, mw.FormDataContentType()
		}, 400, codeBadRequest},
		{"truncated multipart MIDI", "/api/encode", func() (io.Reader, string) { return multi(mid[:30]) }, 400, codeBadRequest},
		{"huge", "/api/encode", func() (io.Reader, string) { return bytes.NewReader(huge), "audio/midi" }, 413, codeTooLarge},
		{"huge multipart", "/api/encode", func() (io.Reader, string) { return multi(huge) }, 413, codeTooLarge},
		{"huge JSON", "/api/sample", func() (io.Reader, string) {
			return strings.NewReader(`{"n":1,"model":"` + strings.Repeat("x", 100<<10) + `"}`), "application/json"
		}, 413, codeTooLarge},
		{"bad content type", "/api/encode", func() (io.Reader, string) { return bytes.NewReader(mid), "text/plain" }, 415, codeMediaType},
	}
	for _, tc := range cases {
		body, ct := tc.body()
		resp, err := c.Post(base+tc.path, ct, body)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || errorCode(t, data) != tc.err {
			t.Errorf("%s: %s %.200s, want %d %s", tc.name, resp.Status, data, tc.code, tc.err)
		}
		healthy(t, base)
	}

	// A body shorter than its Content-Length, the connection half-closed.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/encode HTTP/1.1\r\nHost: x\r\nContent-Type: audio/midi\r\nContent-Length: 5000\r\n\r\n%s", mid[:40])
	conn.(*net.TCPConn).CloseWrite()
	if st := rawStatus(t, conn, 5*time.Second); st != "" && !strings.Contains(st, " 400 ") {
		t.Errorf("a body cut short: %q", st)
	}
	conn.Close()

	// A body dribbled a byte at a time: the read timeout ends it.
	conn, err = net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST /api/encode HTTP/1.1\r\nHost: x\r\nContent-Type: audio/midi\r\nContent-Length: 5000\r\n\r\n")
	stopDribble := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stopDribble:
				return
			case <-time.After(100 * time.Millisecond):
				if _, err := conn.Write(mid[i%len(mid) : i%len(mid)+1]); err != nil {
					return
				}
			}
		}
	}()
	st := rawStatus(t, conn, 5*time.Second)
	close(stopDribble)
	conn.Close()
	if st != "" && !strings.Contains(st, " 400 ") && !strings.Contains(st, " 408 ") {
		t.Errorf("a dribbled body: %q", st)
	}
	healthy(t, base)
}

// TestSlowloris opens connections that dribble their headers: the server
// closes each within its header timeout, and serves others meanwhile.
func TestSlowloris(t *testing.T) {
	base, addr := faultServer(t)
	const conns = 32
	var wg sync.WaitGroup
	var open atomic.Int32
	for range conns {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			fmt.Fprintf(conn, "POST /api/sample HTTP/1.1\r\nHost: x\r\n")
			closed := make(chan struct{})
			go func() {
				conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, err := conn.Read(make([]byte, 512))
				if errors.Is(err, os.ErrDeadlineExceeded) {
					open.Add(1)
				}
				close(closed)
			}()
			for i := 0; ; i++ {
				select {
				case <-closed:
					return
				case <-time.After(50 * time.Millisecond):
					fmt.Fprintf(conn, "X-%d: y\r\n", i)
				}
			}
		}()
	}
	healthy(t, base) // served while the slow connections hang on
	wg.Wait()
	if n := open.Load(); n > 0 {
		t.Fatalf("%d of %d slow connections were still open after 5 s", n, conns)
	}
	healthy(t, base)
}

// TestShutdownDuringLoad shuts the server down while 16 clients send
// sample requests: every request gets an answer or a refused connection,
// and every request a handler took was answered to its client.
func TestShutdownDuringLoad(t *testing.T) {
	s := tinyServer(t, Options{})
	base, stop := listen(t, s)
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var answered, refused, other atomic.Int64
	var firstOther atomic.Value
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				resp, err := c.Post(base+"/api/sample", "application/json", strings.NewReader(`{"n":2}`))
				if err != nil {
					if isRefusal(err) {
						refused.Add(1)
					} else {
						other.Add(1)
						firstOther.CompareAndSwap(nil, err.Error())
					}
					continue
				}
				data, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				switch {
				case err != nil:
					other.Add(1)
					firstOther.CompareAndSwap(nil, "reading an answer: "+err.Error())
				case resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusServiceUnavailable:
					answered.Add(1)
				default:
					other.Add(1)
					firstOther.CompareAndSwap(nil, fmt.Sprintf("%s %.100s", resp.Status, data))
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	close(done)
	wg.Wait()
	started, done2 := s.Answered()
	t.Logf("shutdown under load: %d answered, %d refused; the server took %d and answered %d", answered.Load(), refused.Load(), started, done2)
	if other.Load() > 0 {
		t.Fatalf("%d requests lost: %v", other.Load(), firstOther.Load())
	}
	if started != done2 || started != answered.Load() {
		t.Fatalf("the server took %d requests and answered %d; the clients got %d answers", started, done2, answered.Load())
	}
	if answered.Load() == 0 || refused.Load() == 0 {
		t.Fatalf("%d answered and %d refused: the shutdown did not happen under load", answered.Load(), refused.Load())
	}
}

// TestOverload fills a queue of one: the requests it cannot hold are
// refused with 429 and Retry-After, the others answered, and the server
// serves on.
func TestOverload(t *testing.T) {
	s := newServer(t, []Spec{{Name: "groove", Path: "default"}}, nil, Options{Limits: Limits{Queue: 1, Window: -1, MaxBatch: 1}})
	base, _ := listen(t, s)
	c := &http.Client{Timeout: 30 * time.Second}
	var ok, refused atomic.Int32
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, body := "/api/sample", `{"n":32}`
			if i%2 == 1 {
				path, body = "/api/decode", `{"z":`+jsonOf(make([]float32, 64))+`}`
			}
			resp, err := c.Post(base+path, "application/json", strings.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch resp.StatusCode {
			case http.StatusOK:
				ok.Add(1)
			case http.StatusTooManyRequests:
				if resp.Header.Get("Retry-After") == "" || errorCode(t, data) != codeOverloaded {
					t.Errorf("429 without Retry-After or code: %v %s", resp.Header, data)
				}
				refused.Add(1)
			default:
				t.Errorf("%s: %s %.200s", path, resp.Status, data)
			}
		}()
	}
	wg.Wait()
	t.Logf("%d answered, %d refused (429)", ok.Load(), refused.Load())
	if ok.Load() == 0 || refused.Load() == 0 {
		t.Fatalf("%d answered and %d refused: want both", ok.Load(), refused.Load())
	}
	healthy(t, base)
}

// TestRequestTimeout gives requests 1 ms: a sample that takes longer is
// answered 503 with code timeout, and the server serves on.
func TestRequestTimeout(t *testing.T) {
	s := newServer(t, []Spec{{Name: "groove", Path: "default"}}, nil, Options{Limits: Limits{Timeout: time.Millisecond}})
	base, _ := listen(t, s)
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Post(base+"/api/sample", "application/json", strings.NewReader(`{"n":64}`))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || errorCode(t, data) != codeTimeout {
		t.Fatalf("a sample past its timeout: %s %v %s", resp.Status, resp.Header, data)
	}
	resp, err = c.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz after a timeout: %v %v", resp, err)
	}
	resp.Body.Close()
}
