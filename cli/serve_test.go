package cli

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/musicvae-go/mvae/runtime"
)

// TestMain lets a test run this binary as mvae (MVAE_TEST_MAIN=1; the
// arguments follow "--"), to send it real signals.
func TestMain(m *testing.M) {
	if os.Getenv("MVAE_TEST_MAIN") == "1" {
		for i, a := range os.Args {
			if a == "--" {
				os.Exit(Main(append([]string{"mvae"}, os.Args[i+1:]...)))
			}
		}
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// TestServeSIGTERM starts mvae serve on each runtime (onnxruntime where it
// is found), sends SIGTERM while a request is in flight, and checks that
// the request is answered and mvae exits 0.
func TestServeSIGTERM(t *testing.T) {
	rts := []string{"native"}
	if _, err := runtime.Init(""); err == nil {
		rts = append(rts, "ort")
	} else {
		t.Logf("onnxruntime not found (%v): native only", err)
	}
	for _, rt := range rts {
		t.Run(rt, func(t *testing.T) { serveSIGTERM(t, rt) })
	}
}

func serveSIGTERM(t *testing.T, rt string) {
	cmd := exec.Command(os.Args[0], "-test.run=^$", "--", "serve", "--addr", "127.0.0.1:0", "--runtime", rt)
	cmd.Env = append(os.Environ(), "MVAE_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stderr)
	base := ""
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), "mvae serve: "); ok {
			base = strings.TrimSuffix(strings.Fields(rest)[0], "/")
			break
		}
	}
	if base == "" {
		t.Fatal("mvae serve did not say where it listens")
	}
	go io.Copy(io.Discard, stderr)
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Post(base+"/api/sample", "application/json", strings.NewReader(`{"n":64}`))
		if err != nil {
			done <- result{err: err}
			return
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		done <- result{resp.StatusCode, err}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.code != http.StatusOK {
		t.Fatalf("the request in flight at SIGTERM: %d %v", r.code, r.err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("mvae serve after SIGTERM: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Fatal("still serving after SIGTERM")
	}
}
