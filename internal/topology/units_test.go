package topology

import (
	"math"
	"strings"
	"testing"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		wantErr bool
	}{
		{"100G", 100e9, false},
		{"2.5G", 2.5e9, false},
		{"400Mbps", 400e6, false},
		{"400 mbps", 400e6, false},
		{"10k", 10e3, false},
		{"1T", 1e12, false},
		{"1000bps", 1000, false},
		{"1000", 1000, false},
		{"1_000", 1000, false},
		{"1e9", 1e9, false},
		{"0", 0, false},
		{"10Gb/s", 10e9, false},
		{"", 0, true},
		{"G", 0, true},
		{"-1G", 0, true},
		{"ten", 0, true},
		{"10X", 0, true},
		{"NaN", 0, true},
		{"Inf", 0, true},
		{"1e400", 0, true},
		{"0x10", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRate(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Fatalf("ParseRate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestFormatRate(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{100e9, "100G"}, {2.5e9, "2.5G"}, {400e6, "400M"}, {1500, "1.5k"}, {12, "12"}, {1.25e12, "1.25T"},
	}
	for _, tt := range tests {
		if got := FormatRate(tt.in); got != tt.want {
			t.Errorf("FormatRate(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatRateExactRoundTrips(t *testing.T) {
	for _, v := range []float64{0, 1, 2.5e9, 100e9, 1234.5678, 1.0 / 3 * 1e9, math.Pi * 1e12, 7e-3} {
		s := FormatRateExact(v)
		back, err := ParseRate(s)
		if err != nil || back != v {
			t.Errorf("FormatRateExact(%v) = %q, parses back to %v, %v", v, s, back, err)
		}
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"100G", "2.5G", "1_000", "1e9", "-1", "10Gb/s", "", "kbps"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseRate(s)
		if err != nil {
			return
		}
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseRate(%q) = %v without error", s, v)
		}
		back, err := ParseRate(FormatRateExact(v))
		if err != nil || back != v {
			t.Fatalf("round trip of %v via %q = %v, %v", v, FormatRateExact(v), back, err)
		}
	})
}

// A rate that is not one is quoted clipped: a 10 kB value is not printed
// whole.
func TestParseRateClipsTheValue(t *testing.T) {
	for _, s := range []string{strings.Repeat("9", 10000) + "Q", "-" + strings.Repeat("9", 10000), strings.Repeat("9", 400) + "e400"} {
		_, err := ParseRate(s)
		if err == nil || len(err.Error()) > 200 {
			t.Errorf("ParseRate of %d characters: %.300v", len(s), err)
		}
	}
}

func TestFormatRateDigits(t *testing.T) {
	for _, tt := range []struct {
		bps  float64
		want string
	}{
		{533.3333333e9, "533.3G"},
		{23.33333e9, "23.33G"},
		{1.23456e9, "1.235G"},
		{2.5e9, "2.5G"},
		{60e9, "60G"},
		{1234.6, "1.235k"},
		{999.96, "1000"},
		{12.5, "12.5"},
		{123456e12, "123456T"},
		{-2.5e9, "-2.5G"},
	} {
		if got := FormatRateDigits(tt.bps, 4); got != tt.want {
			t.Errorf("FormatRateDigits(%v, 4) = %q, want %q", tt.bps, got, tt.want)
		}
	}
}
