package devices

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInventoryFormatDetection(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hosts.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, format, want string
	}{
		{"inventory.yaml", "", FormatNative},
		{"lab/hosts.yaml", "", FormatNornir},
		{"lab/HOSTS.yml", "", FormatNornir},
		{dir, "", FormatNornir},
		{"lab.clab.yml", "", FormatContainerlab},
		{"lab.clab.yaml", "", FormatContainerlab},
		{"hosts.yaml", FormatNative, FormatNative},
		{"nodes.yaml", FormatNornir, FormatNornir},
		{"topo.yaml", FormatContainerlab, FormatContainerlab},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.format, func(t *testing.T) {
			if got := (InventoryFile{Path: tt.path, Format: tt.format}).Detect(); got != tt.want {
				t.Errorf("detect = %s, want %s", got, tt.want)
			}
		})
	}
	hosts, groups, defaults, err := NornirFiles(dir)
	if err != nil || hosts != filepath.Join(dir, "hosts.yaml") || groups != "" || defaults != "" {
		t.Errorf("NornirFiles(%s) = %q, %q, %q, %v", dir, hosts, groups, defaults, err)
	}
	if _, _, _, err := NornirFiles(t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no Nornir hosts.yaml") {
		t.Errorf("a directory without hosts.yaml: %v", err)
	}
}
