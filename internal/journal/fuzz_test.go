package journal

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the journal's line reader. It must not
// panic, and when it accepts the input: the records are numbered 1..n, the
// torn tail is the input's suffix after exactly n lines, and every prefix
// of the accepted part (what a crash could have left) is accepted too,
// giving a prefix of the records.
func FuzzRead(f *testing.F) {
	f.Add([]byte(""))
	f.Add([]byte(twoLines))
	f.Add([]byte(twoLines + `{"seq":3,"ti`))
	f.Add([]byte(twoLines + "\x00\x00\n"))
	f.Add([]byte(line(1, "a") + "garbage\n" + line(3, "c")))
	f.Add([]byte(line(1, "a") + line(3, "c")))
	f.Add([]byte(`{"seq":1,"time":"2026-11-24T00:57:34.123456789Z","type":"step.intent","step":1,"device":"p2","data":{"lines":["a\nb"]}}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, torn, err := decode(data, "journal.jsonl")
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.Line < 1 {
				t.Fatalf("error %v is not a *CorruptError with a line", err)
			}
			return
		}
		for i, r := range recs {
			if r.Seq != i+1 || r.Type == "" || r.Time.IsZero() {
				t.Fatalf("record %d: %+v", i, r)
			}
		}
		if !bytes.HasSuffix(data, torn) {
			t.Fatalf("torn %q is not the input's tail", torn)
		}
		good := data[:len(data)-len(torn)]
		if n := bytes.Count(good, []byte("\n")); n != len(recs) || (len(good) > 0 && good[len(good)-1] != '\n') {
			t.Fatalf("%d records from %d complete lines %q", len(recs), n, good)
		}
		if bytes.Count(torn, []byte("\n")) > 1 || (bytes.IndexByte(torn, '\n') >= 0 && torn[len(torn)-1] != '\n') {
			t.Fatalf("torn %q spans more than the last line", torn)
		}
		for _, cut := range []int{len(good) / 2, len(good) - 1} {
			if cut < 0 {
				continue
			}
			prefix, _, err := decode(good[:cut], "journal.jsonl")
			if err != nil {
				t.Fatalf("prefix of %d bytes: %v", cut, err)
			}
			if len(prefix) > len(recs) {
				t.Fatalf("prefix of %d bytes has %d records, more than the whole (%d)", cut, len(prefix), len(recs))
			}
		}
	})
}
