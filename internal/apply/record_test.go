package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/journal"
)

// payloads are every record's payload type.
var payloads = []Data{
	OverrideData{}, RevertData{}, GateData{},
	RunStartData{}, CheckResultData{}, ObserveResultData{}, ObserveSkippedData{},
	StepStartData{}, ConfigIntentData{}, ConfigResultData{}, SoakData{},
	ConfirmIntentData{}, ConfirmResultData{}, StepDoneData{},
	RollbackStartData{}, RollbackSkippedData{}, RollbackIntentData{}, RollbackResultData{},
	RollbackUncheckedData{}, RollbackDoneData{},
	RecoverStartData{}, ResumeStartData{}, RunEndData{},
}

// TestLegacyRecordsTyped holds the payload types to the journals an
// earlier changegate wrote, which used no types: every record there has
// a payload type, which knows every field of it (decoding refuses
// unknown fields), and encoding the decoded payload writes the same
// fields with the same values (apart from empty ones, which either may
// leave out). Every payload type has records there.
func TestLegacyRecordsTyped(t *testing.T) {
	byType := map[string]reflect.Type{}
	for _, p := range payloads {
		if _, dup := byType[p.RecordType()]; dup {
			t.Errorf("two payloads for %s", p.RecordType())
		}
		byType[p.RecordType()] = reflect.TypeOf(p)
	}
	seen := map[string]bool{}
	runs, err := os.ReadDir(filepath.Join(legacyState, "runs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range runs {
		run, err := journal.Read(legacyState, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range run.Records {
			where := fmt.Sprintf("%s record %d (%s)", e.Name(), r.Seq, r.Type)
			typ, ok := byType[r.Type]
			if !ok {
				t.Errorf("%s: no payload type", where)
				continue
			}
			seen[r.Type] = true
			p := reflect.New(typ)
			dec := json.NewDecoder(bytes.NewReader(r.Data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(p.Interface()); err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if err := DecodeData(r, p.Interface().(Data)); err != nil {
				t.Errorf("%s: DecodeData: %v", where, err)
			}
			again := NewRecord(r.Step, r.Device, p.Elem().Interface().(Data))
			if again.Type != r.Type || again.Step != r.Step || again.Device != r.Device {
				t.Errorf("%s: written again as %s step %d on %q", where, again.Type, again.Step, again.Device)
			}
			if diff := cmp.Diff(nonEmpty(t, r.Data), nonEmpty(t, again.Data)); diff != "" {
				t.Errorf("%s: written again otherwise (-then +now):\n%s", where, diff)
			}
		}
	}
	for typ := range byType {
		if !seen[typ] {
			t.Errorf("no %s record in %s", typ, legacyState)
		}
	}
}

// nonEmpty decodes a payload, leaving out null and "" values.
func nonEmpty(t *testing.T, raw json.RawMessage) any {
	t.Helper()
	var v any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
	}
	var drop func(v any) any
	drop = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, x := range v {
				if x != nil && x != "" {
					out[k] = drop(x)
				}
			}
			return out
		case []any:
			for i := range v {
				v[i] = drop(v[i])
			}
		case nil:
			return map[string]any{}
		}
		return v
	}
	return drop(v)
}

func TestDecodeData(t *testing.T) {
	r := NewRecord(2, "r1", ConfigIntentData{Lines: []string{"set cost 5"}})
	r.Seq = 7
	var d ConfigIntentData
	if err := DecodeData(r, &d); err != nil || !cmp.Equal(d.Lines, []string{"set cost 5"}) {
		t.Errorf("decoded %+v, %v", d, err)
	}
	var other ConfigResultData
	if err := DecodeData(r, &other); err == nil || err.Error() != "journal record 7 is config.intent, not config.result" {
		t.Errorf("decoded into another type: %v", err)
	}
	r.Data = json.RawMessage(`{"lines": "set cost 5"}`)
	if err := DecodeData(r, &d); err == nil || !errors.As(err, new(*json.UnmarshalTypeError)) {
		t.Errorf("a payload of the wrong shape: %v", err)
	}
	// Records without a payload (a test's, or confirm.intent's null).
	for _, raw := range []json.RawMessage{nil, json.RawMessage("null")} {
		d := ConfirmIntentData{For: "x"}
		if err := DecodeData(journal.Record{Type: RecordConfirmIntent, Data: raw}, &d); err != nil || d.For != "x" {
			t.Errorf("%q: %+v %v", raw, d, err)
		}
	}
}

// TestErrorClass classifies errors as the session adapter (devices/session) wraps them.
func TestErrorClass(t *testing.T) {
	for _, tc := range []struct {
		err       error
		class     ErrorClass
		uncertain bool
	}{
		{nil, "", false},
		{fmt.Errorf("device a: %q: %w within 30s (no prompt came back)", "set x", session.ErrTimeout), ClassTimeout, true},
		{fmt.Errorf("device a: %w: %w", session.ErrConnectionLost, errors.New("EOF")), ClassConnectionLost, true},
		// A session broken by a timeout: closed, the operation's own error.
		{fmt.Errorf("device a: %w: %w", session.ErrClosed, fmt.Errorf("x: %w", session.ErrTimeout)), ClassClosed, true},
		{fmt.Errorf("device a: %q: %w: the answer contains %q", "set x", session.ErrCommandFailed, "% Invalid input"), ClassRefused, false},
		{fmt.Errorf("device a: %w", context.Canceled), ClassInterrupted, false},
		{fmt.Errorf("%w to 127.0.0.1: refused", session.ErrConnect), ClassOther, false},
	} {
		c := classify(tc.err)
		if c != tc.class || c.Uncertain() != tc.uncertain {
			t.Errorf("%v: class %q (uncertain %v), want %q (%v)", tc.err, c, c.Uncertain(), tc.class, tc.uncertain)
		}
		// A journal written before classes were recorded: from the text.
		if tc.err != nil && tc.class != ClassInterrupted {
			if c := errorClassOf("", tc.err.Error()); c != tc.class {
				t.Errorf("%v: class from the text %q, want %q", tc.err, c, tc.class)
			}
		}
	}
	if c := errorClassOf(ClassRefused, "no answer in time"); c != ClassRefused {
		t.Errorf("a recorded class is not taken from the text: %q", c)
	}
}

// TestClassRecorded checks that the class of a configuration error is in
// its result record, and that it, not the error's text, tells ReadState
// whether the change may have taken effect.
func TestClassRecorded(t *testing.T) {
	p, n := twoSteps(), newFakeNet("r1", "r2")
	n.hang["r2|set cost 500"] = true
	_, j := run(t, p, n)
	var got ErrorClass
	for _, r := range j.all() {
		if r.Type == RecordConfigResult && r.Device == "r2" {
			var d ConfigResultData
			if err := DecodeData(r, &d); err != nil {
				t.Fatal(err)
			}
			got = d.Class
		}
	}
	if got != ClassTimeout {
		t.Errorf("class %q, want %q", got, ClassTimeout)
	}

	// A refusal whose text happens to contain a timeout's words, and a
	// timeout whose text does not.
	records := func(class ErrorClass, msg string) []journal.Record {
		res := &session.ConfigResult{Outputs: []*session.Output{{Device: "r1", Command: "set cost 500"}}}
		return []journal.Record{
			NewRecord(1, "r1", ConfigIntentData{Lines: []string{"set cost 500"}}),
			NewRecord(1, "r1", ConfigResultData{Result: res, Error: msg, Class: class}),
		}
	}
	for _, tc := range []struct {
		class ErrorClass
		msg   string
		want  string
	}{
		{ClassRefused, `device r1: "set cost 500": command failed on the device: the answer contains "no answer in time"`, ChangeNone},
		{ClassTimeout, "device r1: gave up", ChangeIntended},
	} {
		st, err := ReadState(records(tc.class, tc.msg))
		if err != nil {
			t.Fatal(err)
		}
		if c := st.Changes[0]; c.State != tc.want || c.Class != tc.class {
			t.Errorf("%s %q: state %s (class %q), want %s", tc.class, tc.msg, c.State, c.Class, tc.want)
		}
	}
}
