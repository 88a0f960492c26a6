package devices

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/platform"
	"github.com/changegate/changegate/userfile"
)

// NornirPlatforms returns the Nornir platform names (those of NAPALM,
// Netmiko and scrapli's Nornir plugin) FromNornir maps, and what each
// becomes: the Nornir names of the platform registry's records. A name
// that already is an inventory platform (cisco_iosxe, juniper_junos, ...)
// is kept.
func NornirPlatforms() map[string]string { return platform.Builtin().Nornir() }

// NornirFile is one file of a Nornir SimpleInventory, for ParseNornir.
// A file with an empty Path is absent.
type NornirFile struct {
	Path string
	Data []byte
}

// FromNornir imports a Nornir SimpleInventory: hosts.yaml, groups.yaml
// and defaults.yaml (groupsPath and defaultsPath may be empty when there
// are none). Hosts become devices (hostname is the host), groups and
// defaults are inherited as Nornir does, and platforms are mapped to
// inventory platforms (NornirPlatforms). data and connection_options are
// not imported, except connection_options.scrapli.platform, which takes
// precedence over platform as it does in nornir_scrapli.
//
// A password written in a Nornir file is not copied: the device gets a
// reference to it (NornirCredential), read from the file when the device
// is connected to, and a warning says the file holds a plain-text secret.
// The error is for I/O only, as for Load.
func FromNornir(ctx context.Context, hostsPath, groupsPath, defaultsPath string) (*Inventory, diag.Diagnostics, error) {
	read := func(path, what string) (NornirFile, error) {
		if path == "" {
			return NornirFile{}, nil
		}
		data, err := userfile.Read(ctx, path, userfile.Kind{Name: what, Limit: userfile.Inventory.Limit})
		return NornirFile{Path: path, Data: data}, err
	}
	hosts, err := read(hostsPath, "Nornir hosts file")
	if err != nil {
		return nil, nil, err
	}
	groups, err := read(groupsPath, "Nornir groups file")
	if err != nil {
		return nil, nil, err
	}
	defaults, err := read(defaultsPath, "Nornir defaults file")
	if err != nil {
		return nil, nil, err
	}
	inv, ds := ParseNornir(hosts, groups, defaults)
	return inv, ds, nil
}

// ParseNornir is FromNornir on file contents; it does no I/O.
func ParseNornir(hosts, groups, defaults NornirFile) (*Inventory, diag.Diagnostics) {
	var ds diag.Diagnostics
	var files []string
	for _, f := range []NornirFile{hosts, groups, defaults} {
		if f.Path != "" {
			files = append(files, f.Path)
		}
	}
	if hosts.Path == "" {
		ds.Add(diag.Pos{}, "give the hosts.yaml of the Nornir inventory", "no Nornir hosts file")
		return nil, ds
	}
	def := newLayer("defaults", "", diag.Pos{File: defaults.Path, Line: 1})
	if defaults.Path != "" {
		np := nornirParser{y: diag.YAML{File: defaults.Path, Diags: &ds}}
		if root := np.y.Parse(defaults.Data); root != nil && !diag.IsNull(root) {
			np.settings(def, root, nil, false)
		}
	}
	var gl []*layer
	if groups.Path != "" {
		np := nornirParser{y: diag.YAML{File: groups.Path, Diags: &ds}}
		if root := np.y.Parse(groups.Data); root != nil {
			for _, e := range (&parser{y: np.y}).entries(root, "groups") {
				if !np.y.CheckText(e.key, "group name", diag.KindName) {
					continue
				}
				g := newLayer("group "+e.key.Value, e.key.Value, np.y.Pos(e.key))
				np.settings(g, e.val, []string{e.key.Value}, true)
				gl = append(gl, g)
			}
		}
	}
	np := nornirParser{y: diag.YAML{File: hosts.Path, Diags: &ds}}
	root := np.y.Parse(hosts.Data)
	if root == nil {
		return nil, ds
	}
	var dl []*layer
	pp := &parser{y: np.y}
	for _, e := range pp.entries(root, "hosts") {
		if !pp.name(e.key, "device") {
			continue
		}
		d := newLayer("host "+e.key.Value, e.key.Value, np.y.Pos(e.key))
		np.settings(d, e.val, []string{e.key.Value}, true)
		dl = append(dl, d)
	}
	if len(dl) == 0 && !ds.HasErrors() {
		np.y.Errorf(root, "a Nornir hosts file maps host names to their settings", "no hosts in the Nornir hosts file")
	}
	return build(files, def, gl, dl, &ds), ds
}

type nornirParser struct {
	y diag.YAML
}

// settings reads the Nornir settings of a host, group or the defaults;
// keyPath is the path of keys to the mapping in its file, for password
// references.
func (np nornirParser) settings(l *layer, v *yaml.Node, keyPath []string, withGroups bool) {
	if diag.IsNull(v) {
		return
	}
	p := &parser{y: np.y}
	what := l.desc
	var platformAt *yaml.Node
	fields := map[string]diag.Field{
		"hostname": func(_, v *yaml.Node) {
			if diag.IsNull(v) {
				return
			}
			if s, ok := p.host(v, what+": hostname"); ok {
				l.set(FieldHost, np.y.Pos(v), s)
			} else {
				l.broken[FieldHost] = true
			}
		},
		"port": func(_, v *yaml.Node) {
			if diag.IsNull(v) {
				return
			}
			if n, ok := p.port(v, what); ok {
				l.set(FieldPort, np.y.Pos(v), n)
			}
		},
		"username": func(_, v *yaml.Node) {
			if diag.IsNull(v) {
				return
			}
			if s, ok := np.y.String(v, what+": username"); ok && s != "" && np.y.CheckText(v, what+": username", diag.KindName) {
				l.set(FieldUsername, np.y.Pos(v), newCredential(ValueCredential, s, fmt.Sprintf("username of Nornir %s (%s)", what, np.y.Pos(v))))
			}
		},
		"password": func(_, v *yaml.Node) {
			if diag.IsNull(v) {
				return
			}
			v = diag.Deref(v)
			if v.Kind != yaml.ScalarNode {
				np.y.Errorf(v, "a Nornir password is a single value", "%s: password must be a scalar value, found %s", what, diag.Describe(v))
				return
			}
			if v.Value == "" {
				return
			}
			key := append(slices.Clone(keyPath), "password")
			c := newCredential(NornirCredential, np.y.File, fmt.Sprintf("password of Nornir %s (%s)", what, np.y.Pos(v)))
			c.Key = key
			l.set(FieldPassword, np.y.Pos(v), c)
			np.y.Warnf(v, "changegate reads it from this file when it connects and never copies it; better, move it to an environment variable and reference it from a changegate inventory (password: {env: NET_PASSWORD})",
				"%s: the password is stored in plain text in %s", what, np.y.File)
		},
		"platform": func(_, v *yaml.Node) {
			if !diag.IsNull(v) && platformAt == nil {
				platformAt = v
			}
		},
		"data": nil,
		"connection_options": func(_, v *yaml.Node) {
			for _, e := range p.entries(v, what+": connection_options") {
				if e.key.Value != "scrapli" || diag.IsNull(e.val) || e.val.Kind != yaml.MappingNode {
					continue
				}
				for i := 0; i+1 < len(e.val.Content); i += 2 {
					if e.val.Content[i].Value == "platform" && !diag.IsNull(e.val.Content[i+1]) {
						platformAt = diag.Deref(e.val.Content[i+1]) // nornir_scrapli's own platform wins
					}
				}
			}
		},
	}
	if withGroups {
		fields["groups"] = func(_, v *yaml.Node) { l.groups = p.groupRefs(v, what) }
	}
	np.y.Mapping(v, "Nornir "+what, fields)
	if platformAt != nil {
		if s, ok := np.y.String(platformAt, what+": platform"); ok && np.y.CheckText(platformAt, what+": platform", diag.KindName) {
			if name, ok := mapNornirPlatform(s); ok {
				l.set(FieldPlatform, np.y.Pos(platformAt), name)
			} else {
				np.y.Errorf(platformAt, nornirPlatformHint(s), "%s: platform %q has no changegate equivalent", what, s)
				l.broken[FieldPlatform] = true
			}
		} else {
			l.broken[FieldPlatform] = true
		}
	}
}

func mapNornirPlatform(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if KnownPlatform(s) {
		return s, true
	}
	return platform.Builtin().FromNornir(s)
}

func nornirPlatformHint(s string) string {
	names := slices.Sorted(maps.Keys(NornirPlatforms()))
	if h := diag.DidYouMean(diag.Near(strings.ToLower(s), append(names, platformNames()...))); h != "" {
		return h
	}
	return "Nornir platforms changegate maps: " + strings.Join(names, ", ") + "; or use a changegate platform name: " + strings.Join(platformNames(), ", ")
}
