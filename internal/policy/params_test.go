package policy

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The user's policies get their parameters from the configuration
// (policy.params keyed by their package path) under
// data.changegate.user_params, and the parameters are in the digest.
func TestUserParams(t *testing.T) {
	dir := writeFiles(t, map[string]string{"limits.rego": `package site.limits

import data.changegate.user_params.site.limits as params

deny contains sprintf("%d values, at most %d", [count(input.values), params.max]) if {
	count(input.values) > params.max
}
`})
	opts := func(max int) Options {
		return Options{Dirs: []string{dir}, Params: map[string]any{"site.limits": map[string]any{"max": max}}}
	}
	e := load(t, opts(2))
	d := eval(t, e, map[string]any{"values": []any{1, 2, 3}})
	if len(d.Results) != 1 || d.Results[0].Msg != "3 values, at most 2" {
		t.Errorf("results %+v", d.Results)
	}
	if d := eval(t, load(t, opts(3)), map[string]any{"values": []any{1, 2, 3}}); d.Denied() {
		t.Errorf("max 3 denied: %+v", d.Results)
	}
	if load(t, opts(2)).Digest() == load(t, opts(3)).Digest() {
		t.Error("a user parameter does not change the digest")
	}
	want := []Param{{Policy: "site.limits", Name: "max", Value: json.RawMessage("2")}}
	if diff := cmp.Diff(want, e.Set().Params); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if got := want[0].String(); got != "site.limits.max: 2" {
		t.Errorf("String() = %q", got)
	}

	for _, tt := range []struct {
		name   string
		files  map[string]string
		params map[string]any
		want   string
	}{
		{"unknown package", nil, map[string]any{"site.limit": map[string]any{"max": 1}}, `no policy "site.limit"`},
		{"not a mapping", nil, map[string]any{"site.limits": 3}, "give a mapping"},
		{"both a built-in and a user package", map[string]string{"l.rego": "package limits\n\nx := 1\n"}, map[string]any{"limits": map[string]any{"max": 1}},
			`"limits" names both the built-in policy changegate.limits and your package limits`},
		{"clashing paths", map[string]string{"s.rego": "package site\n\nx := 1\n"}, map[string]any{"site": map[string]any{"limits": 1}, "site.limits": map[string]any{"max": 1}},
			"site.limits"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dirs := []string{dir}
			if tt.files != nil {
				dirs = append(dirs, writeFiles(t, tt.files))
			}
			_, err := Load(context.Background(), Options{Dirs: dirs, Params: tt.params, builtinFS: testFS()})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// Set lists every parameter that differs from its default (and only
// those) and the disabled packages; all of them change the digest.
func TestSetListsWhatDiffersFromTheDefaults(t *testing.T) {
	base := load(t, Options{})
	same := load(t, Options{Params: map[string]any{"limits": map[string]any{"max": 10}}})
	if same.Digest() != base.Digest() || len(same.Set().Params) != 0 {
		t.Errorf("a parameter set to its default: digest changed %v, params %+v", same.Digest() != base.Digest(), same.Set().Params)
	}
	e := load(t, Options{
		Params:  map[string]any{"limits": map[string]any{"max": 10, "classes": map[string]any{"gold": 2}}},
		Disable: []string{"changegate.limits"},
	})
	s := e.Set()
	want := []string{"limits.classes.gold: 2 (default 1)"}
	var got []string
	for _, p := range s.Params {
		got = append(got, p.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("params (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"changegate.limits"}, s.Disabled); diff != "" {
		t.Errorf("disabled (-want +got):\n%s", diff)
	}
	if s.Digest != e.Digest() || s.Digest == base.Digest() || s.Files["policies/limits.rego"] == "" {
		t.Errorf("set %+v", s)
	}
	// A mapping given new keys is shown whole, with its default.
	e = load(t, Options{Params: map[string]any{"limits": map[string]any{"classes": map[string]any{"silver": 3}}}})
	if got := e.Set().Params; len(got) != 1 || got[0].String() != `limits.classes: {"gold":1,"silver":3} (default {"gold":1})` {
		t.Errorf("params %+v", got)
	}
}

// Changes says what differs between two policy sets.
func TestSetChanges(t *testing.T) {
	user := writeFiles(t, map[string]string{"a.rego": "package a\n\nwarn contains \"a\" if true\n"})
	was := load(t, Options{}).Set()
	now := load(t, Options{
		Dirs:    []string{user},
		Params:  map[string]any{"limits": map[string]any{"max": 11}},
		Disable: []string{"changegate.limits"},
	}).Set()
	got := now.Changes(was)
	want := []string{
		"policy file " + user + "/a.rego added",
		"changegate.limits disabled",
		"limits.max: 11 (default 10), was 10",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if c := was.Changes(was); len(c) != 0 {
		t.Errorf("no change: %q", c)
	}
}

func TestSetChangesBack(t *testing.T) {
	was := load(t, Options{Params: map[string]any{"limits": map[string]any{"max": 11}}}).Set()
	now := load(t, Options{}).Set()
	if got := now.Changes(was); len(got) != 1 || got[0] != "limits.max back to its default 10, was 11" {
		t.Errorf("changes %q", got)
	}
}
