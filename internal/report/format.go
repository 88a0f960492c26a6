package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/changegate/changegate/internal/buildinfo"
)

// WriteJSON writes v as indented JSON with a final newline. A JSON
// object gets the running changegate's build (buildinfo.Info) as its
// first member, "changegate", so that every document says which
// changegate wrote it.
func WriteJSON(w io.Writer, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	data, err = stamp(data, buildinfo.Read())
	if err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// stamp puts info first in the indented JSON object data, as
// "changegate"; other JSON values are left as they are.
func stamp(data []byte, info buildinfo.Info) ([]byte, error) {
	if len(data) < 2 || data[0] != '{' || bytes.HasPrefix(data, []byte("{\n  \"changegate\":")) {
		return data, nil // not an object, or stamped already
	}
	member, err := json.MarshalIndent(info, "  ", "  ")
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(data)+len(member)+32)
	out = append(out, "{\n  \"changegate\": "...)
	out = append(out, member...)
	if rest := data[1:]; string(rest) == "}" {
		out = append(out, "\n}"...)
	} else {
		out = append(out, ',')
		out = append(out, rest...)
	}
	return out, nil
}

func pct(u float64) string {
	return fmt.Sprintf("%.1f%%", u*100)
}

// plural writes "1 step", "2 steps".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
