package plans

import (
	"errors"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve on machines without zoneinfo

	"go.yaml.in/yaml/v3"
)

// localLayouts are the accepted forms of a time without an offset, read
// in the window's time zone.
var localLayouts = []string{
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
}

const timeHint = "write 2024-05-01T22:00, 2024-05-01 22:00 or 2024-05-01T22:00:00 (read in the window's timezone), " +
	"or RFC 3339 with an offset such as 2024-05-01T22:00:00+02:00 or 2024-05-01T20:00:00Z"

const zoneHint = "use an IANA time zone name such as UTC, Europe/Amsterdam or America/New_York"

// loadZone returns the location of an IANA zone name ("" is UTC). Local
// is refused: a plan must mean the same time on every machine.
func loadZone(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, errors.New(`time zone "Local" depends on the machine`)
	}
	if name == "" {
		return time.UTC, nil
	}
	return time.LoadLocation(name)
}

func (ps *parser) window(v *yaml.Node) *Window {
	const what = "plan: window"
	f, ok := ps.mapping(v, what, "start", "end", "timezone")
	if !ok {
		return nil
	}
	w := &Window{TimeZone: "UTC", Pos: ps.y.Pos(v)}
	loc, zoneOK := time.UTC, true
	if zv, given := f.Vals["timezone"]; given {
		name := ps.text(zv, what+": timezone", zoneHint)
		switch {
		case name == "":
			zoneOK = false
		case name == "Local":
			ps.y.Errorf(zv, zoneHint+"; Local would mean the zone of whichever machine reads the plan",
				"%s: time zone %q depends on the machine", what, name)
			zoneOK = false
		default:
			l, err := loadZone(name)
			if err != nil {
				ps.y.Errorf(zv, zoneHint+" (names are case-sensitive)", "%s: unknown time zone %q", what, name)
				zoneOK = false
			} else {
				w.TimeZone, loc = name, l
			}
		}
	}
	var okStart, okEnd bool
	for _, e := range []struct {
		name, hint string
		t          *time.Time
		ok         *bool
	}{
		{"start", "add start: the time the change may begin, such as 2024-05-01T22:00", &w.Start, &okStart},
		{"end", "add end: the time the change must be over by, such as 2024-05-02T02:00", &w.End, &okEnd},
	} {
		tv, given := f.Vals[e.name]
		if !given {
			ps.y.Errorf(v, e.hint, "%s: missing field %q", what, e.name)
			continue
		}
		*e.t, *e.ok = ps.timestamp(tv, what+": "+e.name, loc, zoneOK)
	}
	if okStart && okEnd && !w.End.After(w.Start) {
		ps.y.Errorf(f.Vals["end"], "the window must end after it starts: check the dates, and the offsets if you gave any",
			"%s: end %s is not after start %s", what, w.End.Format(time.RFC3339), w.Start.Format(time.RFC3339))
	}
	return w
}

// timestamp reads a time: RFC 3339 with an offset, used as it is, or one
// of localLayouts, read in loc. It reads the node's text, so a value YAML
// tags !!timestamp and a quoted string are read alike. When zoneOK is
// false (the zone was reported) a time without offset cannot be placed:
// its syntax is still checked, but ok is false.
func (ps *parser) timestamp(v *yaml.Node, what string, loc *time.Location, zoneOK bool) (time.Time, bool) {
	s, ok := ps.y.String(v, what)
	if !ok {
		return time.Time{}, false
	}
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		for _, layout := range localLayouts {
			if t, err = time.ParseInLocation(layout, s, loc); err == nil {
				break
			}
		}
	}
	if err != nil {
		ps.y.Errorf(v, timeHint, "%s: %q is not a time", what, s)
		return time.Time{}, false
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		ps.y.Errorf(v, "give a time in the years 1 to 9999 (UTC)", "%s: %q is out of range", what, s)
		return time.Time{}, false
	}
	if !zoneOK {
		return time.Time{}, false
	}
	return t.In(loc), true
}
