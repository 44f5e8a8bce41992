package importer

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/musicvae-go/mvae/internal/testenv"
)

// TestTrainPyUnderTorchrun: graphs/torch/train.py trains with
// DistributedDataParallel on two CPU processes (gloo) started by torchrun;
// both ranks run every step and end with the same parameters, and the
// model.pt rank 0 writes imports into mvae.
func TestTrainPyUnderTorchrun(t *testing.T) {
	py := testenv.OptionalPython(t, "torch", "numpy", "torch.distributed.run")
	dir := t.TempDir()
	data := filepath.Join(dir, "data.npz")
	// Tiny groove windows of one bar (16 steps, 27 features): hits, velocities, offsets.
	gen := `import sys, numpy as np
r = np.random.default_rng(0)
def windows(n):
    x = np.zeros((n, 16, 27), np.float32)
    h = (r.random((n, 16, 9)) < 0.3).astype(np.float32)
    x[..., :9] = h
    x[..., 9:18] = h * r.random((n, 16, 9))
    x[..., 18:] = h * (r.random((n, 16, 9)) - 0.5)
    return x
np.savez(sys.argv[1], train=windows(40), validation=windows(8), test=windows(4))`
	if out, err := exec.Command(py, "-c", gen, data).CombinedOutput(); err != nil {
		t.Fatalf("writing the data: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "run")
	const steps = 6
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// --redirects 1 --tee 1: the workers' stdout goes to the log folder and
	// here. (PyTorch 1.13's launcher under Python 3.11 cannot parse its own
	// default, 0, for these flags.)
	// A free port of its own (--standalone always takes 29400, which a
	// second run at the same time would find taken).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.CommandContext(ctx, py, "-m", "torch.distributed.run",
		"--nnodes", "1", "--nproc_per_node", "2", "--master_addr", "127.0.0.1", "--master_port", port,
		"--redirects", "1", "--tee", "1", "--log_dir", filepath.Join(dir, "logs"),
		"../graphs/torch/train.py", "--data", data, "--out", out,
		"--bars", "1", "--segments", "1", "--z", "8",
		"--encoder", "16,1", "--conductor", "16,1", "--decoder", "16,1",
		"--batch", "4", "--steps", strconv.Itoa(steps), "--eval-every", "4",
		"--mix", "0.3", "--drop", "0.1")
	cmd.Env = append(os.Environ(), "OMP_NUM_THREADS=1")
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("torchrun: %v\n%s", err, log)
	}
	re := regexp.MustCompile(`rank (\d+) of 2: (\d+) steps, parameters sha256 ([0-9a-f]{64})`)
	digests := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(log), -1) {
		if m[2] != strconv.Itoa(steps) {
			t.Errorf("rank %s ran %s steps, want %d", m[1], m[2], steps)
		}
		digests[m[1]] = m[3]
	}
	if len(digests) != 2 || digests["0"] == "" || digests["1"] == "" {
		t.Fatalf("want a line from rank 0 and rank 1, got %v\n%s", digests, log)
	}
	if digests["0"] != digests["1"] {
		t.Errorf("the ranks' parameters differ: %s and %s", digests["0"], digests["1"])
	}
	r, err := File(filepath.Join(out, "model.pt"), Options{})
	if err != nil {
		t.Fatalf("importing what rank 0 wrote: %v", err)
	}
	if r.Config.ZSize != 8 || r.Config.Bars != 1 {
		t.Errorf("imported config: z %d, bars %d; want 8 and 1", r.Config.ZSize, r.Config.Bars)
	}
}
