package cli

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

// limits are the values each numeric, duration and rate setting allows.
// A value outside them (NaN and infinities included) is an error naming
// the key, the value, where it came from and what is allowed: never
// replaced by a default. Every numeric and duration key of Config has an
// entry (TestEveryNumericSettingHasLimits); a new key adds one line here.
var limits = map[string]limit{
	"apply.concurrency":          wholeNumber(1, 1000),
	"apply.confirm_margin":       duration(time.Second, 24*time.Hour),
	"apply.observe_timeout":      duration(time.Second, 24*time.Hour),
	"apply.observe_settled":      duration(time.Second, 24*time.Hour),
	"apply.observe_tolerance":    wholeNumber(0, math.MaxInt32),
	"apply.rollback_timeout":     duration(time.Second, 24*time.Hour),
	"dryrun.threshold":           utilisation(10),
	"dryrun.top_movers":          wholeNumber(0, math.MaxInt32),
	"import.default_capacity":    rate(true),
	"import.reference_bandwidth": rate(false),
	"policy.timeout":             duration(10*time.Millisecond, time.Hour),
}

// limit checks one setting's value as viper gives it (a YAML value from
// the file, a string from the environment or a flag, a default).
type limit struct {
	// check returns what is wrong with the value ("is out of range"), or
	// "" when it is allowed.
	check func(v any) string
	// allowed says what is allowed, as a hint.
	allowed string
}

func wholeNumber(lo, hi int64) limit {
	allowed := fmt.Sprintf("give a whole number from %d to %d", lo, hi)
	if hi == math.MaxInt32 {
		allowed = fmt.Sprintf("give a whole number, %d or more", lo)
	}
	return limit{allowed: allowed, check: func(v any) string {
		n, ok := toInt(v)
		switch {
		case !ok:
			return "is not a whole number"
		case n < lo || n > hi:
			return "is out of range"
		}
		return ""
	}}
}

func duration(lo, hi time.Duration) limit {
	return limit{allowed: fmt.Sprintf("give a duration from %s to %s, with its unit, such as 90s or 10m", short(lo), short(hi)),
		check: func(v any) string {
			var d time.Duration
			switch x := v.(type) {
			case time.Duration:
				d = x
			case string:
				var err error
				if d, err = time.ParseDuration(strings.TrimSpace(x)); err != nil {
					return "is not a duration"
				}
			default:
				if _, ok := toFloat(v); ok {
					return "has no unit" // a bare number would be nanoseconds
				}
				return "is not a duration"
			}
			if d < lo || d > hi {
				return "is out of range"
			}
			return ""
		}}
}

// utilisation allows a fraction of capacity above 0 and at most hi.
func utilisation(hi float64) limit {
	return limit{allowed: fmt.Sprintf("give utilisation as a fraction above 0 and at most %g: 0.8 for 80%%", hi),
		check: func(v any) string {
			f, ok := toFloat(v)
			switch {
			case !ok:
				return "is not a number"
			case math.IsNaN(f) || math.IsInf(f, 0):
				return "is not a finite number"
			case f <= 0 || f > hi:
				return "is out of range"
			}
			return ""
		}}
}

// rate allows a rate above zero with an optional unit (10G), or nothing
// when optional.
func rate(optional bool) limit {
	allowed := "give a rate above 0, such as 100G or 400M"
	if optional {
		allowed += ", or nothing for none"
	}
	return limit{allowed: allowed, check: func(v any) string {
		s, ok := v.(string)
		if !ok {
			f, isNum := toFloat(v)
			if !isNum {
				return "is not a rate"
			}
			s = strconv.FormatFloat(f, 'f', -1, 64)
		}
		if strings.TrimSpace(s) == "" {
			if optional {
				return ""
			}
			return "is empty"
		}
		r, err := topology.ParseRate(s)
		switch {
		case err != nil:
			return "is not a rate above 0"
		case r <= 0:
			return "is out of range"
		}
		return ""
	}}
}

// short writes d without zero units: 24h, not 24h0m0s.
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// toInt converts an integer, or a string or float holding a whole number.
func toInt(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return 0, false
		}
		return int64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f != math.Trunc(f) || math.IsInf(f, 0) || math.Abs(f) > 1<<53 {
			return 0, false // NaN, too: NaN != NaN
		}
		return int64(f), true
	case reflect.String:
		n, err := strconv.ParseInt(strings.TrimSpace(rv.String()), 10, 64)
		return n, err == nil
	}
	return 0, false
}

// toFloat converts a number, or a string holding one.
func toFloat(v any) (float64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint()), true
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.String:
		f, err := strconv.ParseFloat(strings.TrimSpace(rv.String()), 64)
		return f, err == nil
	}
	return 0, false
}

// configDoc is the configuration file as written, for positions: its
// document, and every key path (lower case, as viper has them) with its
// key and value nodes.
type configDoc struct {
	file string
	data []byte
	root *yaml.Node // nil for an empty file
	keys map[string]keyValue
}

type keyValue struct{ key, val *yaml.Node }

// readConfigDoc reads and parses the configuration file. A second YAML
// document, which viper ignores, is an error.
func readConfigDoc(ctx context.Context, file string) (*configDoc, error) {
	data, err := userfile.Read(ctx, file, userfile.Config)
	if err != nil {
		return nil, err
	}
	var ds diag.Diagnostics
	y := diag.YAML{File: file, Diags: &ds, AllowEmpty: true}
	d := &configDoc{file: file, data: data, root: y.Parse(data), keys: map[string]keyValue{}}
	if ds.HasErrors() {
		return nil, diagErr(ds)
	}
	d.check(y, d.root, "the configuration", 0)
	if ds.HasErrors() {
		return nil, diagErr(ds)
	}
	d.flatten("", d.root, 0)
	return d, nil
}

// check reports, at their lines, what viper would refuse without a
// position or take silently: a document that is not a mapping (a file of
// another kind), a key given twice (the last would win), and anchors and
// aliases (a configuration file has no need of them, and an alias bomb
// would expand in viper).
func (d *configDoc) check(y diag.YAML, n *yaml.Node, what string, depth int) {
	if n == nil {
		return
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		y.Errorf(n, "write the value out: changegate.yaml takes no anchors (&) or aliases (*)", "%s: anchors and aliases are not allowed", what)
		return
	}
	if depth == 0 && n.Kind != yaml.MappingNode {
		y.Errorf(n, "changegate.yaml is a mapping of sections (apply:, policy:, ...): docs/config.md", "the configuration must be a mapping, found %s", diag.Describe(n))
		return
	}
	if depth > 32 {
		y.Errorf(n, "changegate.yaml is at most a few levels deep", "%s: nested too deeply", what)
		return
	}
	seen := map[string]*yaml.Node{}
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			if prev, dup := seen[c.Value]; dup {
				y.Errorf(c, fmt.Sprintf("give it once (the first is at line %d); the last would win", prev.Line), "%s: key %q given twice", what, c.Value)
			}
			seen[c.Value] = c
		}
		name := what
		if n.Kind == yaml.MappingNode && i%2 == 1 {
			name = n.Content[i-1].Value
		}
		d.check(y, c, name, depth+1)
	}
}

// itemPos is where the list of key holds the value s, or where key is
// written, or the file when it is not.
func (d *configDoc) itemPos(key, s string) diag.Pos {
	if d == nil {
		return diag.Pos{}
	}
	if kv, ok := d.keys[key]; ok && kv.val != nil && kv.val.Kind == yaml.SequenceNode {
		for _, it := range kv.val.Content {
			if it.Value == s || filepath.Join(filepath.Dir(d.file), it.Value) == s {
				return diag.Pos{File: d.file, Line: it.Line, Col: it.Column}
			}
		}
	}
	return d.keyPos(key)
}

// flatten records the keys under n, prefixed by path.
func (d *configDoc) flatten(path string, n *yaml.Node, depth int) {
	n = diag.Deref(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 32 {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		name := strings.ToLower(k.Value)
		if path != "" {
			name = path + "." + name
		}
		if _, dup := d.keys[name]; !dup {
			d.keys[name] = keyValue{k, diag.Deref(n.Content[i+1])}
		}
		d.flatten(name, n.Content[i+1], depth+1)
	}
}

// keyPos is where key is written, or the file when it is not.
func (d *configDoc) keyPos(key string) diag.Pos {
	if d == nil {
		return diag.Pos{}
	}
	if kv, ok := d.keys[key]; ok {
		return diag.Pos{File: d.file, Line: kv.key.Line, Col: kv.key.Column}
	}
	return diag.Pos{File: d.file}
}

// freeFormRoots are the keys whose subtrees are the user's names
// (freeFormPrefixes without the final dot).
func freeFormRoots() []string {
	out := make([]string, len(freeFormPrefixes))
	for i, p := range freeFormPrefixes {
		out[i] = strings.TrimSuffix(p, ".")
	}
	return out
}

// unknownKeys reports every key of the file that is not a setting, at
// its line, with the close settings as a hint. A mistyped free-form key
// (approvals.role for approvals.roles) is reported once, as itself, not
// by each name under it.
func (d *configDoc) unknownKeys(all []string) error {
	sort.Strings(all)
	roots := freeFormRoots()
	candidates := append(knownKeys(), roots...)
	var ds diag.Diagnostics
	reported := map[string]bool{}
	for _, k := range all {
		if _, ok := defaults[k]; ok || freeForm(k) {
			continue
		}
		name, hint := k, "the keys are listed in docs/config.md"
		if h := diag.DidYouMean(diag.Near(k, candidates)); h != "" {
			hint = h
		} else if parts := strings.SplitN(k, ".", 3); len(parts) == 3 {
			if h := diag.DidYouMean(diag.Near(parts[0]+"."+parts[1], roots)); h != "" {
				name, hint = parts[0]+"."+parts[1], h
			}
		}
		if reported[name] {
			continue
		}
		reported[name] = true
		ds.Add(d.keyPos(name), hint, "unknown key %q", name)
	}
	return diagErr(ds)
}

// origin says where a setting's value came from, as viper chose it: a
// flag given on the command line, else the environment, else the file,
// else the default. For a flag or a variable, Pos.File names it.
type origin struct {
	pos diag.Pos
	// text is the value as written there.
	text string
}

func (a *app) origin(cmd *cobra.Command, binds map[string]string, doc *configDoc, key string) origin {
	for flag, k := range binds {
		if k == key && cmd.Flags().Changed(flag) {
			return origin{pos: diag.Pos{File: "flag --" + flag}, text: cmd.Flags().Lookup(flag).Value.String()}
		}
	}
	env := "CHANGEGATE_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
	if v := os.Getenv(env); v != "" {
		return origin{pos: diag.Pos{File: "environment variable " + env}, text: v}
	}
	if doc != nil {
		if kv, ok := doc.keys[key]; ok {
			text := kv.val.Value
			if kv.val.Kind != yaml.ScalarNode {
				text = diag.Describe(kv.val)
			}
			return origin{pos: diag.Pos{File: doc.file, Line: kv.val.Line, Col: kv.val.Column}, text: text}
		}
	}
	return origin{pos: diag.Pos{File: "the default"}, text: fmt.Sprint(defaults[key])}
}

// checkSettings checks every setting with limits, wherever its value
// comes from, and returns every problem.
func (a *app) checkSettings(v *viper.Viper, cmd *cobra.Command, binds map[string]string, doc *configDoc) error {
	keys := make([]string, 0, len(limits))
	for k := range limits {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ds diag.Diagnostics
	for _, k := range keys {
		lim := limits[k]
		problem := lim.check(v.Get(k))
		if problem == "" {
			continue
		}
		o := a.origin(cmd, binds, doc, k)
		ds.Add(o.pos, lim.allowed, "%s: %s %s", k, shown(o.text), problem)
	}
	return diagErr(ds)
}

// shown is a value for a message: as written when it is a plain word,
// else quoted; at most 40 characters, since it may be anything.
func shown(s string) string {
	const max = 40
	clipped := false
	if utf8.RuneCountInString(s) > max {
		s, clipped = string([]rune(s)[:max]), true
	}
	plain := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("+-._:", r)) {
			plain = false
			break
		}
	}
	if !plain {
		s = strconv.Quote(s)
	}
	if clipped {
		s += "..."
	}
	return s
}
