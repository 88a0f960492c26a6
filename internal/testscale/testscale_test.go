package testscale

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		err  bool
	}{
		{"", defaultFactor, false},
		{"1", 1, false},
		{"3", 3, false},
		{"0.5", 0.5, false},
		{"1000", 1000, false},
		{"0", 0, true},
		{"-2", 0, true},
		{"NaN", 0, true},
		{"+Inf", 0, true},
		{"1001", 0, true},
		{"three", 0, true},
		{"3x", 0, true},
	} {
		got, err := parse(tc.in)
		if tc.err {
			if err == nil || !strings.Contains(err.Error(), Env) {
				t.Errorf("parse(%q) = %v, %v; want an error naming %s", tc.in, got, err, Env)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parse(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestTimeout: with Env unset, a timeout is as given, or four times
// longer under the race detector.
func TestTimeout(t *testing.T) {
	if os.Getenv(Env) != "" {
		t.Skipf("%s is set", Env)
	}
	want := 10 * time.Second
	if raceEnabled {
		want = 40 * time.Second
	}
	if got := Timeout(10 * time.Second); got != want {
		t.Errorf("Timeout(10s) = %s, want %s", got, want)
	}
}
