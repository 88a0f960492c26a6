package plans

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// The JSON form of a plan writes durations as seconds (soak_seconds,
// interval_seconds, timeout_seconds) and window times in RFC 3339, UTC, so
// that it does not depend on how the YAML spelt them ("5m" or "300s") and
// reads the same in any language. Positions and the file name are left out.

// seconds converts a duration for JSON.
func seconds(d time.Duration) float64 { return d.Seconds() }

// fromSeconds converts JSON seconds back, to the nearest nanosecond.
func fromSeconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

// MarshalJSON writes the step with soak_seconds (omitted when 0).
func (s Step) MarshalJSON() ([]byte, error) {
	type fields Step // without methods, so that this does not recurse
	return json.Marshal(struct {
		fields
		SoakSeconds float64 `json:"soak_seconds,omitempty"`
	}{fields(s), seconds(s.Soak)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Step) UnmarshalJSON(data []byte) error {
	type fields Step
	var v struct {
		fields
		SoakSeconds float64 `json:"soak_seconds"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*s = Step(v.fields)
	s.Soak = fromSeconds(v.SoakSeconds)
	return nil
}

// MarshalJSON writes the check with interval_seconds and timeout_seconds.
func (c Check) MarshalJSON() ([]byte, error) {
	type fields Check
	return json.Marshal(struct {
		fields
		IntervalSeconds float64 `json:"interval_seconds"`
		TimeoutSeconds  float64 `json:"timeout_seconds"`
	}{fields(c), seconds(c.Interval), seconds(c.Timeout)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Check) UnmarshalJSON(data []byte) error {
	type fields Check
	var v struct {
		fields
		IntervalSeconds float64 `json:"interval_seconds"`
		TimeoutSeconds  float64 `json:"timeout_seconds"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*c = Check(v.fields)
	c.Interval, c.Timeout = fromSeconds(v.IntervalSeconds), fromSeconds(v.TimeoutSeconds)
	return nil
}

// windowJSON is the JSON form of a Window.
type windowJSON struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	TimeZone string `json:"timezone"`
}

// MarshalJSON writes start and end in RFC 3339, UTC, and the time zone.
func (w Window) MarshalJSON() ([]byte, error) {
	return json.Marshal(windowJSON{
		Start:    w.Start.UTC().Format(time.RFC3339Nano),
		End:      w.End.UTC().Format(time.RFC3339Nano),
		TimeZone: w.TimeZone,
	})
}

// UnmarshalJSON reads what MarshalJSON writes; the times are returned in
// the window's time zone.
func (w *Window) UnmarshalJSON(data []byte) error {
	var v windowJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	loc, err := loadZone(v.TimeZone)
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	start, err := time.Parse(time.RFC3339Nano, v.Start)
	if err != nil {
		return fmt.Errorf("window: start: %w", err)
	}
	end, err := time.Parse(time.RFC3339Nano, v.End)
	if err != nil {
		return fmt.Errorf("window: end: %w", err)
	}
	*w = Window{Start: start.In(loc), End: end.In(loc), TimeZone: v.TimeZone}
	return nil
}
