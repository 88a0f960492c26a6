package diag

import (
	"fmt"
	"io"
	"os"
)

// ReadFile reads a user file of at most limit bytes. A bigger file is an
// error that says what the limit is, rather than minutes spent parsing
// (and locating syntax errors in) something that cannot be a real one.
func ReadFile(path string, limit int64, what string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s %s is larger than %d MiB, the most a %s may be; split it, or check that this is the file you meant", what, path, limit>>20, what)
	}
	return data, nil
}
