package plans

import (
	"strings"
	"testing"
)

const digestPlan = `id: CHG-1
title: cost out
topology: net.yaml
steps:
  - name: cost out p1-p2
    effects:
      - {type: set_metric, link: p1-p2, metric: 100, from: p1}
      - {type: set_capacity, link: p1-p2, capacity: 40G}
    rollback:
      - {type: set_metric, link: p1-p2, metric: 10, from: p1}
  - name: drain p2
    effects: [{type: drain, node: p2}]
`

func parsed(t *testing.T, src string) *Plan {
	t.Helper()
	p, ds := Parse("p.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p
}

func TestDigestIgnoresFormatting(t *testing.T) {
	a := parsed(t, digestPlan)
	b := parsed(t, `# reformatted, keys reordered, another topology path
title: cost out
id: CHG-1
steps:
  - effects:
      - metric: 100
        from: p1
        type: set_metric
        link: p1-p2
      - {capacity: 40000M, link: p1-p2, type: set_capacity}
    rollback: [{from: p1, type: set_metric, link: p1-p2, metric: 10}]
    name: cost out p1-p2
  - {name: drain p2, effects: [{node: p2, type: drain}]}
topology: ../elsewhere/net.yaml
`)
	if a.Digest() != b.Digest() {
		t.Errorf("digest changed with formatting: %s vs %s", a.Digest(), b.Digest())
	}
}

func TestDigestSeesEveryChange(t *testing.T) {
	base := parsed(t, digestPlan).Digest()
	for _, c := range [][2]string{
		{"id: CHG-1", "id: CHG-2"},
		{"title: cost out", "title: cost out p2"},
		{"metric: 100", "metric: 101"},
		{"from: p1}\n      - {type: set_capacity", "from: p2}\n      - {type: set_capacity"},
		{"capacity: 40G", "capacity: 41G"},
		{"metric: 10, from: p1}", "metric: 11, from: p1}"},
		{"    rollback:\n      - {type: set_metric, link: p1-p2, metric: 10, from: p1}\n", ""},
		{"node: p2", "node: p3"},
		{"name: drain p2", "name: drain p2 now"},
	} {
		if !strings.Contains(digestPlan, c[0]) {
			t.Fatalf("plan lacks %q", c[0])
		}
		if got := parsed(t, strings.Replace(digestPlan, c[0], c[1], 1)).Digest(); got == base {
			t.Errorf("changing %q to %q left the digest unchanged", c[0], c[1])
		}
	}
	// Step order matters.
	swapped := parsed(t, `id: CHG-1
title: cost out
steps:
  - name: drain p2
    effects: [{type: drain, node: p2}]
  - name: cost out p1-p2
    effects:
      - {type: set_metric, link: p1-p2, metric: 100, from: p1}
      - {type: set_capacity, link: p1-p2, capacity: 40G}
    rollback:
      - {type: set_metric, link: p1-p2, metric: 10, from: p1}
`)
	if swapped.Digest() == base {
		t.Error("swapping two steps left the digest unchanged")
	}
}

// digestFullPlan uses every field of the full format.
const digestFullPlan = `id: CHG-2
title: enable bfd
description: Turn on BFD.
author: Jane
ticket: NET-1
risk: low
window:
  start: 2024-05-01T22:00:00+02:00
  end: 2024-05-02T02:00:00+02:00
  timezone: Europe/Amsterdam
topology: net.yaml
traffic: peak.csv
inventory: inventory.yaml
pre_checks:
  - {name: pre, device: p1, command: show version, expect: {contains: FRR}}
steps:
  - name: cost out
    device: p2
    config: |
      interface eth4
       ip ospf cost 500
    rollback_config: [interface eth4, ' ip ospf cost 10']
    effects: [{type: set_metric, link: p2-p4, metric: 500, from: p2}]
    checks:
      - {name: cost, command: show ip ospf interface, expect: {regex: 'Cost: 500'}, retries: 2, interval: 10s, timeout: 1m}
    soak: 5m
  - name: bfd
    devices: [p1, p2]
    wave: {batch: 2, max_failures: 1}
    config: [router ospf, ' bfd all-interfaces']
    effects: []
post_checks:
  - {name: post, device: p2, command: show bfd peers json, expect: {json: count(output) >= 1}}
`

func TestDigestFullIgnoresFormatting(t *testing.T) {
	a := parsed(t, digestFullPlan)
	b := parsed(t, `# Reformatted, keys reordered, equivalent spellings, defaults written out,
# the window in another offset (same instants, same zone), other paths.
steps:
  - soak: 300s
    checks:
      - name: cost
        expect:
          regex: "Cost: 500"
        command: show ip ospf interface
        timeout: 60s
        interval: 10000ms
        retries: 2
    effects:
      - {from: p2, type: set_metric, metric: 500, link: p2-p4}
    rollback_config: |
      interface eth4
       ip ospf cost 10
    config:
      - interface eth4
      - " ip ospf cost 500"
    devices: [p2]
    name: cost out
  - name: bfd
    config: "router ospf\n bfd all-interfaces"
    effects: []
    wave: {max_failures: 1, batch: 2}
    devices:
      - p1
      - p2
    soak: 0s
post_checks:
  - name: post
    device: p2
    command: show bfd peers json
    expect: {json: count(output) >= 1}
    retries: 0
    interval: 5s
    timeout: 30s
pre_checks: [{expect: {contains: FRR}, command: show version, device: p1, name: pre}]
inventory: ../inv/inventory.yaml
traffic: /data/peak.csv
topology: ../net.yaml
window: {timezone: Europe/Amsterdam, end: "2024-05-02 02:00", start: 2024-05-01T20:00:00Z}
risk: low
ticket: NET-1
author: Jane
description: |
  Turn on BFD.
title: enable bfd
id: CHG-2
`)
	if a.Digest() != b.Digest() {
		t.Errorf("digest changed with formatting: %s vs %s", a.Digest(), b.Digest())
	}
}

func TestDigestFullSeesEveryChange(t *testing.T) {
	base := parsed(t, digestFullPlan).Digest()
	for _, c := range [][2]string{
		{"description: Turn on BFD.", "description: Turn on BFD now."},
		{"author: Jane", "author: John"},
		{"ticket: NET-1", "ticket: NET-2"},
		{"risk: low", "risk: medium"},
		{"risk: low\n", ""},
		{"  start: 2024-05-01T22:00:00+02:00", "  start: 2024-05-01T22:30:00+02:00"},
		{"  end: 2024-05-02T02:00:00+02:00", "  end: 2024-05-02T03:00:00+02:00"},
		// The same instants in another zone are another plan.
		{"  timezone: Europe/Amsterdam", "  timezone: Europe/Paris"},
		{"{name: pre, device: p1,", "{name: pre2, device: p1,"},
		{"{name: pre, device: p1,", "{name: pre, device: p2,"},
		{"command: show version", "command: show version detail"},
		{"expect: {contains: FRR}", "expect: {regex: FRR}"},
		{"expect: {contains: FRR}", "expect: {contains: FRRouting}"},
		{"retries: 2", "retries: 3"},
		{"interval: 10s", "interval: 11s"},
		{"timeout: 1m", "timeout: 2m"},
		{"device: p2\n", "device: p3\n"},
		{"       ip ospf cost 500", "       ip ospf cost 501"},
		{"       ip ospf cost 500", "        ip ospf cost 500"}, // indentation matters
		{"' ip ospf cost 10'", "' ip ospf cost 11'"},
		{"    rollback_config: [interface eth4, ' ip ospf cost 10']\n", ""},
		{"{regex: 'Cost: 500'}", "{regex: 'Cost: 5000'}"},
		{"{name: cost, command", "{name: cost2, command"},
		{"soak: 5m", "soak: 6m"},
		{"devices: [p1, p2]", "devices: [p2, p1]"},
		{"wave: {batch: 2, max_failures: 1}", "wave: {batch: 1, max_failures: 1}"},
		{"wave: {batch: 2, max_failures: 1}", "wave: {batch: 2, max_failures: 0}"},
		{"    wave: {batch: 2, max_failures: 1}\n", ""},
		{"' bfd all-interfaces'", "' bfd all-interfaces', ' bfd profile fast'"},
		{"    effects: []\n", "    effects: [{type: drain, node: p1}]\n"},
		{"expect: {json: count(output) >= 1}", "expect: {json: count(output) >= 2}"},
		{"{name: post, device: p2,", "{name: post, device: p1,"},
	} {
		if !strings.Contains(digestFullPlan, c[0]) {
			t.Fatalf("plan lacks %q", c[0])
		}
		if got := parsed(t, strings.Replace(digestFullPlan, c[0], c[1], 1)).Digest(); got == base {
			t.Errorf("changing %q to %q left the digest unchanged", c[0], c[1])
		}
	}
}

// TestDigestOfFirstFormatPlansIsStable pins the digest of a plan that
// uses only the fields of the first plan format (computed before the full
// format existed): the fields added since must not change it, or every
// approval given before would be void.
func TestDigestOfFirstFormatPlansIsStable(t *testing.T) {
	const want = "sha256:13d35fa057bd9354be62940c050f7930a832e3969dd73cf5b8f6d202f6635e55"
	if got := parsed(t, digestPlan).Digest(); got != want {
		t.Errorf("digest = %s, want %s", got, want)
	}
}
