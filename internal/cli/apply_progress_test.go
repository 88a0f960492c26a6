package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/report"
)

var progressEvents = []apply.Event{
	{Kind: "run.start", Steps: 2, Name: "cost out", Status: apply.StatusRunning, Message: "2 steps on 2 devices"},
	{Kind: "step.start", Step: 1, Steps: 2, Name: "cost out a-b on a", Status: apply.StatusRunning, Elapsed: 300 * time.Millisecond},
	{Kind: "config", Step: 1, Steps: 2, Device: "a", Status: apply.StatusRunning, Message: "2 lines", Elapsed: 310 * time.Millisecond},
	{Kind: "config", Step: 1, Steps: 2, Device: "a", Status: apply.StatusOK, Message: "committed", Elapsed: 320 * time.Millisecond},
	{Kind: "check", Step: 1, Steps: 2, Phase: "step", Device: "a", Name: "cost", Status: apply.StatusRunning, Elapsed: 330 * time.Millisecond},
	{Kind: "check", Step: 1, Steps: 2, Phase: "step", Device: "a", Name: "cost", Status: apply.StatusFailed, Message: "regex matched 0 lines", Elapsed: 61500 * time.Millisecond},
	{Kind: "run.end", Steps: 2, Name: "rolled-back", Status: apply.StatusFailed, Elapsed: 62 * time.Second},
}

func TestProgressPlain(t *testing.T) {
	var b bytes.Buffer
	sink := report.Progress(&b, "text", false)
	for _, ev := range progressEvents {
		sink(ev)
	}
	want := []string{
		`0:00.0 run "cost out" ...: 2 steps on 2 devices`,
		`0:00.3 step 1/2 step "cost out a-b on a" ...`,
		`0:00.3 step 1/2 [a] config ...: 2 lines`,
		`0:00.3 step 1/2 [a] config OK: committed`,
		`0:00.3 step 1/2 [a] step-check "cost" ...`,
		`1:01.5 step 1/2 [a] step-check "cost" FAILED: regex matched 0 lines`,
		`1:02.0 run rolled-back FAILED`,
	}
	if got := strings.Split(strings.TrimRight(b.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.Contains(b.String(), "\033") {
		t.Error("escape codes in plain output")
	}
}

func TestProgressLive(t *testing.T) {
	var b bytes.Buffer
	sink := report.Progress(&b, "text", true)
	for _, ev := range progressEvents[:5] {
		sink(ev)
	}
	out := b.String()
	// Finished events scroll by as lines; what runs is on the status line.
	if !strings.Contains(out, "[a] config OK: committed\n") {
		t.Errorf("finished event not printed:\n%q", out)
	}
	last := out[strings.LastIndex(out, "\r\033[K")+len("\r\033[K"):]
	if !strings.Contains(last, "step 1 of 2") || !strings.Contains(last, `a step-check "cost"`) || strings.Contains(last, "config") {
		t.Errorf("status line %q", last)
	}
	sink(progressEvents[5])
	sink(progressEvents[6])
	if !strings.HasSuffix(b.String(), "run rolled-back FAILED\n") {
		t.Errorf("the run's end is not the last line:\n%q", b.String())
	}
}

func TestProgressJSON(t *testing.T) {
	var b bytes.Buffer
	sink := report.Progress(&b, "json", false)
	for _, ev := range progressEvents {
		sink(ev)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != len(progressEvents) {
		t.Fatalf("%d lines for %d events", len(lines), len(progressEvents))
	}
	var ev apply.Event
	if err := json.Unmarshal([]byte(lines[5]), &ev); err != nil || ev.Kind != "check" || ev.Status != apply.StatusFailed || ev.Device != "a" {
		t.Errorf("%v %+v", err, ev)
	}
}
