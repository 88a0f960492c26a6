package journal

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/digest"
)

// The files in testdata/meta were written by changegate's Create and are
// never regenerated: recover, resume, revert and runs read the meta.json
// of runs made by earlier versions, so a file written then must still
// read, and one written now must be the same bytes.
func formatMetas() map[string]Meta {
	started := time.Date(2026, 11, 24, 0, 57, 34, 120934000, time.UTC)
	return map[string]Meta{
		"meta.json": {
			RunID: "20261124T005734Z-3f9a1c", PlanFile: "/home/me/net/plans/maint.yaml", PlanTitle: "drain p2 for maintenance",
			Digests: digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd", Inventory: "sha256:ee"},
			User:    "alice", Host: "jump1", PID: 4242, Started: started,
			Extra:  map[string]string{"inventory": "/home/me/net/inventory.yaml"},
			Policy: json.RawMessage(`{"digest":"sha256:dd","files":{"capacity.rego":"sha256:ff"}}`),
		},
		"meta-no-inventory.json": {
			RunID: "20261124T005734Z-3f9a1d", PlanFile: "/home/me/net/plans/maint.yaml",
			Digests: digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd"},
			User:    "alice", Host: "jump1", PID: 4242, Started: started,
		},
		"meta-no-digests.json": {
			RunID: "20261124T005734Z-3f9a1e", PlanFile: "plans/maint.yaml",
			User: "alice", Host: "jump1", PID: 4242, Started: started,
		},
	}
}

// TestMetaFormat: Create writes meta.json byte for byte as changegate
// always has (the digests as an object with sorted keys, every one of
// them, none at all without digests), and the files changegate wrote
// read back as the meta they were written for.
func TestMetaFormat(t *testing.T) {
	for name, meta := range formatMetas() {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "meta", name))
			if err != nil {
				t.Fatal(err)
			}
			state := t.TempDir()
			j, err := Create(state, meta.RunID, meta)
			if err != nil {
				t.Fatal(err)
			}
			j.Close()
			path := filepath.Join(state, runsDir, meta.RunID, metaFile)
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Create wrote:\n%s\nwant:\n%s", got, want)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			run, err := Read(state, meta.RunID)
			if err != nil {
				t.Fatal(err)
			}
			if len(run.Meta.Policy) > 0 { // the caller's JSON, as indented in the file
				var b bytes.Buffer
				if err := json.Compact(&b, run.Meta.Policy); err != nil {
					t.Fatal(err)
				}
				run.Meta.Policy = b.Bytes()
			}
			if diff := cmp.Diff(meta, run.Meta); diff != "" {
				t.Errorf("read (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetaJSONFields: metaJSON is Meta field for field, so that a field
// added to Meta is not silently left out of meta.json.
func TestMetaJSONFields(t *testing.T) {
	m, j := reflect.TypeFor[Meta](), reflect.TypeFor[metaJSON]()
	if m.NumField() != j.NumField() {
		t.Fatalf("Meta has %d fields, metaJSON %d", m.NumField(), j.NumField())
	}
	for i := range m.NumField() {
		if m.Field(i).Name != j.Field(i).Name {
			t.Errorf("field %d: Meta.%s, metaJSON.%s", i, m.Field(i).Name, j.Field(i).Name)
		}
	}
}

// TestMetaReadError: a meta.json that is not one says which field of the
// run's meta is wrong.
func TestMetaReadError(t *testing.T) {
	var m Meta
	err := json.Unmarshal([]byte(`{"run_id": 5}`), &m)
	if err == nil || !strings.Contains(err.Error(), "Meta.run_id") {
		t.Errorf("error %v, want it to name Meta.run_id", err)
	}
}
