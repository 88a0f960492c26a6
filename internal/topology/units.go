package topology

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
)

var rateUnits = []struct {
	suffix string
	mult   float64
}{
	// Longest suffixes first so "Gbps" is not read as "G" + "bps".
	{"tbps", 1e12}, {"gbps", 1e9}, {"mbps", 1e6}, {"kbps", 1e3},
	{"tb/s", 1e12}, {"gb/s", 1e9}, {"mb/s", 1e6}, {"kb/s", 1e3},
	{"bps", 1}, {"b/s", 1},
	{"t", 1e12}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3},
}

// ParseRate reads a rate in bits per second with an optional unit:
// "100G", "2.5G", "400Mbps", "10k", "1e9", "1_000". Units are decimal
// (k=1e3 ... T=1e12) and case-insensitive. Negative, NaN and infinite
// values are errors; zero is allowed here (callers decide whether it is).
func ParseRate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("empty rate")
	}
	lower := strings.ToLower(t)
	mult := 1.0
	num := lower
	for _, u := range rateUnits {
		if strings.HasSuffix(lower, u.suffix) {
			mult = u.mult
			num = strings.TrimSpace(lower[:len(lower)-len(u.suffix)])
			break
		}
	}
	num = strings.ReplaceAll(num, "_", "")
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" || strings.ContainsAny(num, "xXpP") {
		return 0, fmt.Errorf("%s is not a rate: use a number with an optional unit such as 100G, 2.5G, 400M, 10k or 1000bps", diag.Excerpt(s))
	}
	v *= mult
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("%s is not a finite rate", diag.Excerpt(s))
	case v < 0:
		return 0, fmt.Errorf("%s is negative", diag.Excerpt(s))
	}
	return v, nil
}

// FormatRate writes bps with the largest unit that keeps the number at or
// above 1, with up to 4 significant decimals: 2.5e9 -> "2.5G".
func FormatRate(bps float64) string {
	abs := math.Abs(bps)
	switch {
	case abs >= 1e12:
		return trimFloat(bps/1e12) + "T"
	case abs >= 1e9:
		return trimFloat(bps/1e9) + "G"
	case abs >= 1e6:
		return trimFloat(bps/1e6) + "M"
	case abs >= 1e3:
		return trimFloat(bps/1e3) + "k"
	}
	return trimFloat(bps)
}

// FormatRateDigits is FormatRate to at most digits significant digits
// (at least the integer part): FormatRateDigits(533.3333e9, 4) = "533.3G".
func FormatRateDigits(bps float64, digits int) string {
	abs := math.Abs(bps)
	unit, div := "", 1.0
	for _, u := range []struct {
		s string
		m float64
	}{{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if abs >= u.m {
			unit, div = u.s, u.m
			break
		}
	}
	v := bps / div
	decimals := 0
	if a := math.Abs(v); a > 0 {
		decimals = max(0, digits-1-int(math.Floor(math.Log10(a))))
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s + unit
}

// FormatRateExact writes bps so that ParseRate gives back exactly bps,
// using a unit when that is exact: 2.5e9 -> "2.5G", 1234.5678 -> "1234.5678".
func FormatRateExact(bps float64) string {
	for _, u := range []struct {
		s string
		m float64
	}{{"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}} {
		if math.Abs(bps) >= u.m {
			s := strconv.FormatFloat(bps/u.m, 'g', -1, 64) + u.s
			if back, err := ParseRate(s); err == nil && back == bps {
				return s
			}
		}
	}
	return strconv.FormatFloat(bps, 'g', -1, 64)
}

func trimFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
