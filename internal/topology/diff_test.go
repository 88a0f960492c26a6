package topology

import (
	"strings"
	"testing"
)

const diffModel = `igp: ospf
nodes:
  - {name: a, loopback: 198.18.0.1}
  - {name: b, loopback: 198.18.0.2}
  - {name: c, loopback: 198.18.0.3}
links:
  - {id: ab, a: "a:cg-b", b: "b:cg-a", capacity: 10G, metric: 10}
  - {id: ab2, a: "a:cg-b-2", b: "b:cg-a-2", capacity: 10G, metric: {ab: 20, ba: 30}}
  - {id: bc, a: b, b: c, capacity: 10G, metric: 10}
  - {id: ca, a: c, b: a, capacity: 10G, metric: 10, state: down}
`

func TestDiff(t *testing.T) {
	model := mustParse(t, diffModel)
	for _, tc := range []struct {
		name, edit string // edit: "old=>new" replacements of the model's text, separated by ";;"
		want       []string
	}{
		{"equal", "", nil},
		{"written the other way round", `{id: ab2, a: "a:cg-b-2", b: "b:cg-a-2", capacity: 10G, metric: {ab: 20, ba: 30}}=>{id: b-a, a: "b:cg-a-2", b: "a:cg-b-2", capacity: 10G, metric: {ab: 30, ba: 20}}`, nil},
		{"the down link not shown", `  - {id: ca, a: c, b: a, capacity: 10G, metric: 10, state: down}
=>`, nil},
		{"metric one way", "metric: {ab: 20, ba: 30}=>metric: {ab: 20, ba: 35}", []string{`link "ab2": metric b->a is 30 in the model, 35 in the network`}},
		{"parallel member lost", `  - {id: ab2, a: "a:cg-b-2", b: "b:cg-a-2", capacity: 10G, metric: {ab: 20, ba: 30}}
=>`, []string{`link "ab2" (a:cg-b-2 - b:cg-a-2) is in the model, not in the network`}},
		{"parallel member shut", `metric: {ab: 20, ba: 30}}=>metric: {ab: 20, ba: 30}, state: down}`, []string{`link "ab2" is up in the model, down in the network`}},
		{"extra link", `links:
=>links:
  - {id: x, a: "a:cg-b-3", b: "b:cg-a-3", capacity: 1G}
`, []string{`link "x" (a:cg-b-3 - b:cg-a-3) is in the network, not in the model`}},
		{"a down link comes up", "metric: 10, state: down}=>metric: 10}", []string{`link "ca" is down in the model, up in the network`}},
		{"capacity", "{id: bc, a: b, b: c, capacity: 10G=>{id: bc, a: b, b: c, capacity: 40G", []string{`link "bc": capacity 10G in the model, 40G in the network`}},
		{"drain and loopback", "{name: c, loopback: 198.18.0.3}=>{name: c, loopback: 198.18.0.9, drained: true}", []string{`node "c" is not drained in the model, drained in the network`, `node "c": loopback 198.18.0.3 in the model, 198.18.0.9 in the network`}},
		{"interface", `{id: bc, a: b, b: c=>{id: bc, a: "b:eth9", b: c`, nil},
		{"node extra and missing", `{name: c, loopback: 198.18.0.3}=>{name: c, loopback: 198.18.0.3}
  - {name: d}`, []string{`node "d" is in the network, not in the model`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := diffModel
			for _, e := range strings.Split(tc.edit, ";;") {
				if e == "" {
					continue
				}
				from, to, _ := strings.Cut(e, "=>")
				if !strings.Contains(src, from) {
					t.Fatalf("edit %q does not apply", from)
				}
				src = strings.Replace(src, from, to, 1)
			}
			other := mustParse(t, src)
			var got []string
			for _, d := range Diff(model, other) {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestDiffInterfaceNamed(t *testing.T) {
	model := mustParse(t, diffModel)
	other := mustParse(t, strings.Replace(diffModel, `{id: ab, a: "a:cg-b", b: "b:cg-a"`, `{id: ab, a: "a:cg-b", b: "b:eth0"`, 1))
	d := Diff(model, other)
	if len(d) != 1 || d[0].Kind != InterfaceDif || d[0].From != "b" || d[0].Model != "cg-a" || d[0].Other != "eth0" {
		t.Errorf("got %v", d)
	}
}
