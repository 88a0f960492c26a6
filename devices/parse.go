package devices

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/userfile"
)

// Load reads the inventory file at path (docs/inventory.md) and resolves
// every device. The error is for I/O only; every problem with the content
// is a diagnostic, and the Inventory is nil exactly when the diagnostics
// hold an error.
func Load(ctx context.Context, path string) (*Inventory, diag.Diagnostics, error) {
	data, err := userfile.Read(ctx, path, userfile.Inventory)
	if err != nil {
		return nil, nil, err
	}
	inv, ds := Parse(path, data)
	return inv, ds, nil
}

// Parse reads an inventory document named file and resolves every device.
// Relative file references ({file: path}, known_hosts) are joined to the
// directory of file. It does no I/O: credentials are only read when
// resolved. Every problem is reported with its position; the Inventory is
// nil exactly when the diagnostics hold an error.
func Parse(file string, data []byte) (*Inventory, diag.Diagnostics) {
	var ds diag.Diagnostics
	p := &parser{y: diag.YAML{File: file, Diags: &ds}, dir: filepath.Dir(file)}
	root := p.y.Parse(data)
	if root == nil {
		return nil, ds
	}
	defaults := newLayer("defaults", "", p.y.Pos(root))
	var groups, devices []*layer
	haveDevices := false
	p.y.Mapping(root, "inventory", map[string]diag.Field{
		"defaults": func(k, v *yaml.Node) {
			defaults.pos = p.y.Pos(k)
			p.settings(defaults, v, false)
		},
		"groups": func(_, v *yaml.Node) {
			for _, e := range p.entries(v, "groups") {
				if !p.name(e.key, "group") {
					continue
				}
				g := newLayer("group "+e.key.Value, e.key.Value, p.y.Pos(e.key))
				p.settings(g, e.val, true)
				groups = append(groups, g)
			}
		},
		"devices": func(k, v *yaml.Node) {
			haveDevices = true
			for _, e := range p.entries(v, "devices") {
				if !p.name(e.key, "device") {
					continue
				}
				d := newLayer("device "+e.key.Value, e.key.Value, p.y.Pos(e.key))
				p.settings(d, e.val, true)
				devices = append(devices, d)
			}
		},
	})
	if !haveDevices && root.Kind == yaml.MappingNode {
		p.y.Errorf(root, "list the devices under devices:, each named after its topology node", "inventory has no devices field")
	}
	inv := build([]string{file}, defaults, groups, devices, &ds)
	return inv, ds
}

type parser struct {
	y   diag.YAML
	dir string
}

type entry struct{ key, val *yaml.Node }

// entries returns the pairs of a mapping whose keys are names (groups,
// devices), reporting duplicate and non-scalar keys. Null is empty.
func (p *parser) entries(n *yaml.Node, what string) []entry {
	n = diag.Deref(n)
	if diag.IsNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.y.Errorf(n, "write it as name: {settings} pairs", "%s must be a mapping, found %s", what, diag.Describe(n))
		return nil
	}
	seen := map[string]*yaml.Node{}
	var out []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.y.Errorf(k, "names must be plain words", "%s: name must be a scalar, found %s", what, diag.Describe(k))
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			p.y.Errorf(k, fmt.Sprintf("remove one of them (the first is at line %d)", prev.Line), "%s: %q is declared twice", what, k.Value)
			continue
		}
		seen[k.Value] = k
		out = append(out, entry{k, diag.Deref(v)})
	}
	return out
}

// name checks a group or device name.
func (p *parser) name(k *yaml.Node, what string) bool {
	switch {
	case strings.TrimSpace(k.Value) == "":
		p.y.Errorf(k, "give the "+what+" a name", "%s name is empty", what)
		return false
	case !p.y.CheckText(k, what+" name", diag.KindName):
		return false
	case strings.ContainsAny(k.Value, " \t\n"):
		p.y.Errorf(k, "use letters, digits, '-', '_' and '.'", "%s name %q contains white space", what, k.Value)
		return false
	case what == "device" && strings.Contains(k.Value, ":"):
		p.y.Errorf(k, "a device is named after its topology node, and node names cannot contain ':'", "device name %q contains ':'", k.Value)
		return false
	}
	return true
}

// settings reads the settings of a layer; withGroups allows groups:.
func (p *parser) settings(l *layer, v *yaml.Node, withGroups bool) {
	if diag.IsNull(v) {
		return
	}
	what := l.desc
	fields := map[string]diag.Field{
		"platform": func(_, v *yaml.Node) {
			if s, ok := p.y.String(v, what+": platform"); ok && p.y.CheckText(v, what+": platform", diag.KindName) {
				if !KnownPlatform(s) {
					p.y.Errorf(v, PlatformHint(s), "%s: unknown platform %q", what, s)
					l.broken[FieldPlatform] = true
					return
				}
				l.set(FieldPlatform, p.y.Pos(v), s)
				return
			}
			l.broken[FieldPlatform] = true
		},
		"host": func(_, v *yaml.Node) {
			if s, ok := p.host(v, what); ok {
				l.set(FieldHost, p.y.Pos(v), s)
				return
			}
			l.broken[FieldHost] = true
		},
		"port": func(_, v *yaml.Node) {
			if n, ok := p.port(v, what); ok {
				l.set(FieldPort, p.y.Pos(v), n)
			}
		},
		"username":   p.credField(l, FieldUsername),
		"password":   p.credField(l, FieldPassword),
		"key":        p.credField(l, FieldKey),
		"passphrase": p.credField(l, FieldPassphrase),
		"host_key":   func(_, v *yaml.Node) { p.hostKey(l, v) },
		"timeouts":   func(_, v *yaml.Node) { p.timeouts(l, v) },
	}
	if withGroups {
		fields["groups"] = func(_, v *yaml.Node) { l.groups = p.groupRefs(v, what) }
	}
	p.y.Mapping(v, what, fields)
}

func (p *parser) host(v *yaml.Node, what string) (string, bool) {
	s, ok := p.y.String(v, what+": host")
	switch {
	case !ok:
		return "", false
	case strings.TrimSpace(s) == "":
		p.y.Errorf(v, "give an address or DNS name", "%s: host is empty", what)
		return "", false
	case !p.y.CheckText(v, what+": host", diag.KindName):
		return "", false
	case strings.ContainsAny(s, " \t\n/"):
		p.y.Errorf(v, "give an address or DNS name, without a scheme, path or spaces; the port goes in port:", "%s: host %q is not an address or DNS name", what, s)
		return "", false
	}
	if h, port, err := net.SplitHostPort(s); err == nil {
		// "10.0.0.4:22" or "[2001:db8::1]:22"; a bare IPv6 address does
		// not split.
		p.y.Errorf(v, fmt.Sprintf("write host: %s and port: %s", h, port), "%s: host %q has a port in it", what, s)
		return "", false
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		p.y.Errorf(v, "write the IPv6 address without brackets: "+strings.Trim(s, "[]"), "%s: host %q is in brackets", what, s)
		return "", false
	}
	return s, true
}

func (p *parser) port(v *yaml.Node, what string) (int, bool) {
	n, ok := p.y.Int(v, what+": port")
	if !ok {
		return 0, false
	}
	if n < 1 || n > 65535 {
		p.y.Errorf(v, "use a TCP port from 1 to 65535", "%s: port %d is out of range", what, n)
		return 0, false
	}
	return int(n), true
}

func (p *parser) groupRefs(v *yaml.Node, what string) []ref {
	v = diag.Deref(v)
	var nodes []*yaml.Node
	if v != nil && v.Kind == yaml.ScalarNode && !diag.IsNull(v) {
		nodes = []*yaml.Node{v}
	} else {
		nodes = p.y.Sequence(v, what+": groups")
	}
	var out []ref
	for _, it := range nodes {
		s, ok := p.y.String(it, what+": groups item")
		if !ok || !p.y.CheckText(it, what+": groups item", diag.KindName) {
			continue
		}
		if i := slices.IndexFunc(out, func(r ref) bool { return r.name == s }); i >= 0 {
			p.y.Errorf(it, "remove the repeat", "%s: group %q is listed twice", what, s)
			continue
		}
		out = append(out, ref{name: s, pos: p.y.Pos(it)})
	}
	return out
}

// credField reads a credential reference.
func (p *parser) credField(l *layer, field string) diag.Field {
	return func(_, v *yaml.Node) {
		if c, ok := p.credential(v, field, l.desc); ok {
			l.set(field, p.y.Pos(v), c)
		}
	}
}

func credHint(field string) string {
	switch field {
	case FieldKey:
		return "write key: {file: ~/.ssh/id_ed25519} or key: {agent: true}"
	case FieldUsername:
		return "write username: admin, or a reference: {env: NET_USER}, {file: path} or {prompt: true}"
	}
	return "write " + field + ": {env: NET_PASSWORD}, {file: path} or {prompt: true}; an inventory holds references to secrets, never the secrets"
}

func (p *parser) credential(v *yaml.Node, field, owner string) (Credential, bool) {
	what := owner + ": " + field
	label := fmt.Sprintf("%s of %s (%s)", field, owner, p.y.Pos(v))
	v = diag.Deref(v)
	if v != nil && v.Kind == yaml.ScalarNode && !diag.IsNull(v) {
		if field == FieldUsername {
			if v.Value == "" {
				p.y.Errorf(v, credHint(field), "%s is empty", what)
				return Credential{}, false
			}
			if !p.y.CheckText(v, what, diag.KindName) {
				return Credential{}, false
			}
			return newCredential(ValueCredential, v.Value, label), true
		}
		// Never quote the value: it is likely the secret itself.
		p.y.Errorf(v, credHint(field), "%s is written in plain text", what)
		return Credential{}, false
	}
	var c Credential
	var given []string
	ok := p.y.Mapping(v, what, map[string]diag.Field{
		"env": func(k, v *yaml.Node) {
			given = append(given, k.Value)
			s, good := p.y.String(v, what+": env")
			if !good {
				return
			}
			if s == "" || strings.ContainsAny(s, "= \t\n$") {
				p.y.Errorf(v, "name an environment variable, such as NET_PASSWORD (without $)", "%s: %q is not an environment variable name", what, s)
				return
			}
			c = newCredential(EnvCredential, s, label)
		},
		"file": func(k, v *yaml.Node) {
			given = append(given, k.Value)
			s, good := p.y.String(v, what+": file")
			if !good {
				return
			}
			if s == "" {
				p.y.Errorf(v, "name the file that holds it", "%s: file is empty", what)
				return
			}
			c = newCredential(FileCredential, p.path(s), label)
		},
		"agent": func(k, v *yaml.Node) {
			given = append(given, k.Value)
			b, good := p.y.Bool(v, what+": agent")
			switch {
			case !good:
				return
			case field != FieldKey:
				p.y.Errorf(v, "ssh-agent holds keys: write key: {agent: true}", "%s: agent is only for key", what)
			case !b:
				p.y.Errorf(v, "write {agent: true}, or give another reference", "%s: agent: false gives no key", what)
			default:
				c = newCredential(AgentCredential, "", label)
			}
		},
		"prompt": func(k, v *yaml.Node) {
			given = append(given, k.Value)
			b, good := p.y.Bool(v, what+": prompt")
			switch {
			case !good:
				return
			case field == FieldKey:
				p.y.Errorf(v, credHint(field), "%s: a key file cannot be typed in; prompt is for username, password and passphrase", what)
			case !b:
				p.y.Errorf(v, "write {prompt: true}, or give another reference", "%s: prompt: false gives no value", what)
			default:
				c = newCredential(PromptCredential, "", label)
			}
		},
	})
	if !ok {
		return Credential{}, false
	}
	switch {
	case len(given) == 0:
		p.y.Errorf(v, credHint(field), "%s: the reference is empty", what)
		return Credential{}, false
	case len(given) > 1:
		p.y.Errorf(v, "keep one of "+strings.Join(given, ", "), "%s: give one reference, found %d", what, len(given))
		return Credential{}, false
	}
	return c, c.Kind != NoCredential
}

// path joins a relative path to the inventory's directory; absolute
// paths and ~/ paths are kept.
func (p *parser) path(s string) string {
	if filepath.IsAbs(s) || s == "~" || strings.HasPrefix(s, "~/") || p.dir == "" {
		return s
	}
	return filepath.Join(p.dir, s)
}

func (p *parser) hostKey(l *layer, v *yaml.Node) {
	what := l.desc + ": host_key"
	var h HostKeyPolicy
	var haveKnown, haveInsecure, haveReason, good = false, false, false, true
	var insecureAt *yaml.Node
	ok := p.y.Mapping(v, what, map[string]diag.Field{
		"known_hosts": func(_, v *yaml.Node) {
			haveKnown = true
			s, ok := p.y.String(v, what+": known_hosts")
			if ok && s == "" {
				p.y.Errorf(v, "name a known_hosts file, such as ~/.ssh/known_hosts", "%s: known_hosts is empty", what)
				ok = false
			}
			good = good && ok
			h.KnownHosts = p.path(s)
		},
		"insecure_ignore": func(_, v *yaml.Node) {
			haveInsecure, insecureAt = true, v
			b, ok := p.y.Bool(v, what+": insecure_ignore")
			good = good && ok
			h.InsecureIgnore = b
		},
		"reason": func(_, v *yaml.Node) {
			haveReason = true
			s, ok := p.y.String(v, what+": reason")
			good = good && ok && p.y.CheckText(v, what+": reason", diag.KindTitle)
			h.Reason = strings.TrimSpace(s)
		},
	})
	if !ok || !good {
		return
	}
	switch {
	case h.InsecureIgnore && haveKnown:
		p.y.Errorf(v, "keep known_hosts (verify) or insecure_ignore (do not), not both", "%s: known_hosts and insecure_ignore: true contradict each other", what)
		return
	case h.InsecureIgnore && h.Reason == "":
		p.y.Errorf(insecureAt, `say why it is safe here: reason: "containerlab lab, rebuilt daily"`, "%s: insecure_ignore needs a reason", what)
		return
	case haveReason && !h.InsecureIgnore:
		p.y.Errorf(v, "reason explains insecure_ignore: true; remove it", "%s: reason without insecure_ignore: true", what)
		return
	case !haveKnown && !haveInsecure:
		p.y.Errorf(v, "write {known_hosts: ~/.ssh/known_hosts}, or {insecure_ignore: true, reason: ...}", "%s: give known_hosts or insecure_ignore", what)
		return
	case h.InsecureIgnore:
		p.y.Warnf(insecureAt, "anyone on the path to these devices can impersonate them; use known_hosts outside labs",
			"%s: host key verification is off (reason: %s)", l.desc, h.Reason)
	case !haveKnown: // insecure_ignore: false: verification, with the default file
		h.KnownHosts = DefaultKnownHosts
	}
	l.set(FieldHostKey, p.y.Pos(v), h)
}

func (p *parser) timeouts(l *layer, v *yaml.Node) {
	what := l.desc + ": timeouts"
	field := func(name, key string) diag.Field {
		return func(_, v *yaml.Node) {
			if d, ok := p.duration(v, what+": "+name); ok {
				l.set(key, p.y.Pos(v), d)
			}
		}
	}
	p.y.Mapping(v, what, map[string]diag.Field{
		"connect": field("connect", FieldConnectTimeout),
		"command": field("command", FieldCommandTimeout),
	})
}

// maxTimeout bounds timeouts: anything longer is a typo (10h for 10s).
const maxTimeout = 24 * time.Hour

func (p *parser) duration(v *yaml.Node, what string) (time.Duration, bool) {
	s, ok := p.y.String(v, what)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.y.Errorf(v, "use a duration with a unit, such as 10s, 1m30s or 500ms", "%s: %q is not a duration", what, s)
		return 0, false
	}
	if d <= 0 || d > maxTimeout {
		p.y.Errorf(v, "use a duration above 0 and at most 24h, such as 30s", "%s: %s is out of range", what, s)
		return 0, false
	}
	return d, true
}
