package lab

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/testscale"
	"github.com/changegate/changegate/internal/topology"
)

// SkipUnlessAvailable skips t unless this process can build a lab (root,
// network namespaces, FRR, OpenSSH), or fails it when the environment
// variable CHANGEGATE_LAB is "required" (as .ci/run sets it). In -short
// mode it skips.
func SkipUnlessAvailable(t testing.TB) {
	t.Helper()
	if os.Getenv("CHANGEGATE_LAB") == "required" {
		if err := Preflight(); err != nil {
			t.Fatalf("CHANGEGATE_LAB=required but the lab cannot run: %v", err)
		}
		return
	}
	if testing.Short() {
		t.Skip("lab test skipped in -short mode")
	}
	if err := Preflight(); err != nil {
		t.Skipf("lab test skipped (set CHANGEGATE_LAB=required to fail instead): %v", err)
	}
}

// testLabs counts the labs UpNetworkForTest has built in this process.
var testLabs atomic.Int64

// UpForTest builds a lab of the topology src (YAML) for test t, named
// after tag and the process, and takes it down when t ends, whatever
// happened. Call SkipUnlessAvailable first.
func UpForTest(t testing.TB, tag, src string) (*Lab, *topology.Network) {
	t.Helper()
	n, ds := topology.Parse(tag+".yaml", []byte(src), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatalf("lab topology: %v", ds)
	}
	return UpNetworkForTest(t, tag, n), n
}

// UpNetworkForTest builds a lab of n for test t, as UpForTest does: its
// name and namespace prefix are made of tag (a short word, a-z and 0-9)
// and the process id, so that several test processes can run labs at
// once, it is marked ephemeral (a later test run sweeps it if this
// process dies), and it is taken down when t ends. A failure to build it
// fails t. Call SkipUnlessAvailable first.
func UpNetworkForTest(t testing.TB, tag string, n *topology.Network) *Lab {
	t.Helper()
	if sanitize(tag) != tag || tag == "" {
		t.Fatalf("lab tag %q: use a-z, 0-9 and -", tag)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(3*time.Minute))
	defer cancel()
	// Unique per process and call: two labs of one test binary (with the
	// same tag, or tags alike) never share a namespace or a user.
	id := fmt.Sprintf("%d", os.Getpid()%100000)
	if k := testLabs.Add(1); k > 1 {
		id += fmt.Sprintf("x%d", k)
	}
	l, err := Up(ctx, n, Options{
		Name:      fmt.Sprintf("%s-%s", tag, id),
		Prefix:    fmt.Sprintf("cg-%s%s-", tag[:1], id),
		Ephemeral: true,
		// Generous and scaled for the machine (internal/testscale): a
		// loaded machine converges slowly.
		ConvergeTimeout: testscale.Timeout(90 * time.Second),
		Log:             logWriter{t},
	})
	if err != nil {
		t.Fatal(err) // "lab up: ..."
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(time.Minute))
		defer cancel()
		if err := l.Down(ctx); err != nil {
			t.Errorf("lab down: %v", err)
		}
	})
	return l
}

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
