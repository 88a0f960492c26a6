package runbook

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// WritePlan writes p as YAML in the plan format (docs/plans.md), which
// plans.Parse reads back into an equal plan (positions and File aside).
// Defaults are left out: check timings of 5s and 30s, zero retries and
// soak, a wave of one device at a time with no failures. A textfsm check's
// template is written inline (template_text), even when it was read from
// a file, so the written plan does not depend on where it is written and
// reads back with an empty Expect.TemplateFile.
func WritePlan(w io.Writer, p *plans.Plan) error {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	opt := func(k, v string) {
		if v != "" {
			addKV(doc, k, text(v))
		}
	}
	opt("id", p.ID)
	opt("title", p.Title)
	opt("description", p.Description)
	opt("author", p.Author)
	opt("ticket", p.Ticket)
	opt("risk", string(p.Risk))
	if p.Window != nil {
		win := &yaml.Node{Kind: yaml.MappingNode}
		addKV(win, "start", str(p.Window.Start.Format(time.RFC3339)))
		addKV(win, "end", str(p.Window.End.Format(time.RFC3339)))
		addKV(win, "timezone", str(p.Window.TimeZone))
		addKV(doc, "window", win)
	}
	opt("topology", p.Topology)
	opt("traffic", p.Traffic)
	opt("inventory", p.Inventory)
	opt("platform", p.Platform)
	if len(p.PreChecks) > 0 {
		addKV(doc, "pre_checks", checks(p.PreChecks))
	}
	if len(p.PostChecks) > 0 {
		addKV(doc, "post_checks", checks(p.PostChecks))
	}
	steps := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range p.Steps {
		steps.Content = append(steps.Content, step(s))
	}
	addKV(doc, "steps", steps)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	return nil
}

func step(s plans.Step) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	addKV(m, "name", text(s.Name))
	switch {
	case len(s.Devices) == 1 && s.Wave == nil:
		addKV(m, "device", text(s.Devices[0]))
	case len(s.Devices) > 0:
		l := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, d := range s.Devices {
			l.Content = append(l.Content, text(d))
		}
		addKV(m, "devices", l)
	}
	if s.Wave != nil {
		w := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		addKV(w, "batch", str(strconv.Itoa(s.Wave.Batch)))
		addKV(w, "max_failures", str(strconv.Itoa(s.Wave.MaxFailures)))
		addKV(m, "wave", w)
	}
	if len(s.Config) > 0 {
		addKV(m, "config", lines(s.Config))
	}
	if len(s.RollbackConfig) > 0 {
		addKV(m, "rollback_config", lines(s.RollbackConfig))
	}
	addKV(m, "effects", effects(s.Effects))
	if s.HasRollback {
		addKV(m, "rollback", effects(s.Rollback))
	}
	if len(s.Checks) > 0 {
		addKV(m, "checks", checks(s.Checks))
	}
	if s.Soak > 0 {
		addKV(m, "soak", str(duration(s.Soak)))
	}
	return m
}

// lines writes configuration as a block string when that reads back
// exactly, else as a list of lines.
func lines(ls []string) *yaml.Node {
	block := strings.Join(ls, "\n") + "\n"
	blockOK := !strings.HasPrefix(ls[0], " ") && !strings.HasPrefix(ls[0], "\t") && strings.TrimSpace(ls[len(ls)-1]) != ""
	for _, l := range ls {
		if strings.ContainsAny(l, "\r\t") || strings.TrimRight(l, " ") != l {
			blockOK = false
		}
	}
	if blockOK {
		return &yaml.Node{Kind: yaml.ScalarNode, Value: block, Style: yaml.LiteralStyle}
	}
	l := &yaml.Node{Kind: yaml.SequenceNode}
	for _, s := range ls {
		l.Content = append(l.Content, text(s))
	}
	return l
}

func effects(es []plans.Effect) *yaml.Node {
	l := &yaml.Node{Kind: yaml.SequenceNode}
	if len(es) == 0 {
		l.Style = yaml.FlowStyle
	}
	for _, e := range es {
		m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		addKV(m, "type", str(string(e.Type)))
		if e.Link != "" {
			addKV(m, "link", text(e.Link))
		}
		if e.Node != "" {
			addKV(m, "node", text(e.Node))
		}
		if e.Metric != 0 {
			addKV(m, "metric", str(strconv.FormatInt(e.Metric, 10)))
		}
		if e.CapacityBps != 0 {
			addKV(m, "capacity", text(topology.FormatRateExact(e.CapacityBps)))
		}
		if e.From != "" {
			addKV(m, "from", text(e.From))
		}
		l.Content = append(l.Content, m)
	}
	return l
}

func checks(cs []plans.Check) *yaml.Node {
	l := &yaml.Node{Kind: yaml.SequenceNode}
	for _, c := range cs {
		m := &yaml.Node{Kind: yaml.MappingNode}
		addKV(m, "name", text(c.Name))
		if c.Device != "" {
			addKV(m, "device", text(c.Device))
		}
		addKV(m, "command", text(c.Command))
		e := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		if c.Expect.Kind == plans.ExpectTextFSM {
			t := &yaml.Node{Kind: yaml.MappingNode}
			// The encoder falls back to a quoted string when a literal
			// block would not read back exactly.
			addKV(t, "template_text", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Expect.Template, Style: yaml.LiteralStyle})
			addKV(t, "rego", text(c.Expect.Value))
			e.Style = 0
			addKV(e, string(c.Expect.Kind), t)
		} else {
			addKV(e, string(c.Expect.Kind), text(c.Expect.Value))
		}
		addKV(m, "expect", e)
		if c.Retries != 0 {
			addKV(m, "retries", str(strconv.Itoa(c.Retries)))
		}
		if c.Interval != plans.DefaultCheckInterval {
			addKV(m, "interval", str(duration(c.Interval)))
		}
		if c.Timeout != plans.DefaultCheckTimeout {
			addKV(m, "timeout", str(duration(c.Timeout)))
		}
		l.Content = append(l.Content, m)
	}
	return l
}

// text is a string scalar, quoted by the encoder when it would otherwise
// read back as another type.
func text(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// duration writes d as Go does, without zero trailing units: 5m, 1h30m, 1.5s.
func duration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
