package devices

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/changegate/changegate/diag"
)

// The settings a device resolves, by the names Device.Sources uses (those
// of the inventory file; timeouts are two settings).
const (
	FieldPlatform       = "platform"
	FieldHost           = "host"
	FieldPort           = "port"
	FieldUsername       = "username"
	FieldPassword       = "password"
	FieldKey            = "key"
	FieldPassphrase     = "passphrase"
	FieldHostKey        = "host_key"
	FieldConnectTimeout = "timeouts.connect"
	FieldCommandTimeout = "timeouts.command"
)

// Built-in defaults, used when neither the device, its groups nor the
// inventory's defaults give a value.
const (
	DefaultPort           = 22
	DefaultKnownHosts     = "~/.ssh/known_hosts"
	DefaultConnectTimeout = 10 * time.Second
	DefaultCommandTimeout = 30 * time.Second
)

// BuiltinLayer is the Source.Layer of a built-in default.
const BuiltinLayer = "built-in default"

// Inventory is a set of devices with every setting resolved. Build one
// with Load, Parse, FromNornir or FromContainerlab; the zero value is an
// empty inventory.
type Inventory struct {
	// Files are the files the inventory was read from.
	Files   []string
	devices []*Device
	byName  map[string]int
}

// Device is one device with every setting resolved: its own, else its
// groups' (in the order listed, each before the groups it inherits from),
// else the inventory's defaults, else the built-in defaults. Sources
// records, for each setting, where its value came from.
type Device struct {
	// Name is the device's name, which is its topology node's name.
	Name string `json:"name"`
	// Platform is a scrapligo platform name or one of changegate's own
	// (see Platforms).
	Platform string `json:"platform"`
	// Host is the address or DNS name to connect to.
	Host string `json:"host"`
	Port int    `json:"port"`
	// Username, Password, Key (a private key file, or ssh-agent) and
	// Passphrase (of the key) are references, resolved when connecting.
	// Any may be absent (Kind NoCredential).
	Username   Credential    `json:"username"`
	Password   Credential    `json:"password"`
	Key        Credential    `json:"key"`
	Passphrase Credential    `json:"passphrase"`
	HostKey    HostKeyPolicy `json:"host_key"`
	Timeouts   Timeouts      `json:"timeouts"`
	// Groups are the device's groups as written; Inherits is every layer
	// its settings were looked up in, in order ("device p1", "group frr",
	// "group core", "defaults").
	Groups   []string `json:"groups"`
	Inherits []string `json:"inherits"`
	// Sources maps each setting (FieldPlatform, ...) to where its value
	// came from. A setting no layer gives and that has no built-in
	// default (a credential) has no entry.
	Sources map[string]Source `json:"sources"`
	// Pos is where the device is declared.
	Pos diag.Pos `json:"-"`
}

// Source says where a resolved setting came from.
type Source struct {
	// Layer is "device NAME", "group NAME", "defaults", an importer's own
	// ("containerlab kind ceos"), or BuiltinLayer.
	Layer string `json:"layer"`
	// Pos is where the value is written; zero for built-in defaults.
	Pos diag.Pos `json:"-"`
}

// MarshalJSON writes {"layer": "group core", "at": "inventory.yaml:9:15"},
// without "at" for a built-in default.
func (s Source) MarshalJSON() ([]byte, error) {
	v := struct {
		Layer string `json:"layer"`
		At    string `json:"at,omitempty"`
	}{Layer: s.Layer}
	if s.Pos.File != "" {
		v.At = s.Pos.String()
	}
	return json.Marshal(v)
}

func (s Source) String() string {
	if s.Pos.File == "" {
		return s.Layer
	}
	return s.Layer + " at " + s.Pos.String()
}

// Source returns where the setting field of d came from.
func (d *Device) Source(field string) (Source, bool) {
	s, ok := d.Sources[field]
	return s, ok
}

// String names the device, its platform and address.
func (d *Device) String() string {
	return fmt.Sprintf("%s (%s at %s:%d)", d.Name, d.Platform, d.Host, d.Port)
}

// HostKeyPolicy says how the SSH host key of a device is checked: against
// a known_hosts file (the default), or not at all, which must be asked for
// explicitly, with a reason.
type HostKeyPolicy struct {
	// KnownHosts is the known_hosts file (a leading ~/ is expanded by
	// KnownHostsPath). Empty when InsecureIgnore is set.
	KnownHosts string `json:"known_hosts,omitempty"`
	// InsecureIgnore turns host key verification off; Reason says why.
	InsecureIgnore bool   `json:"insecure_ignore,omitempty"`
	Reason         string `json:"reason,omitempty"`
}

// KnownHostsPath returns the known_hosts file with ~/ expanded.
func (h HostKeyPolicy) KnownHostsPath() (string, error) {
	if h.InsecureIgnore {
		return "", fmt.Errorf("host key verification is off (%s)", h.Reason)
	}
	return expandHome(h.KnownHosts)
}

func (h HostKeyPolicy) String() string {
	if h.InsecureIgnore {
		return fmt.Sprintf("INSECURE: host keys not verified (%s)", h.Reason)
	}
	return "known_hosts " + h.KnownHosts
}

// Timeouts bound how long talking to a device may take.
type Timeouts struct {
	// Connect bounds opening the connection (TCP and SSH), Command each
	// command or configuration operation.
	Connect time.Duration
	Command time.Duration
}

// MarshalJSON writes the timeouts as Go durations: {"connect": "10s", ...}.
func (t Timeouts) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Connect string `json:"connect"`
		Command string `json:"command"`
	}{t.Connect.String(), t.Command.String()})
}

// Device returns the named device, every setting resolved, or false. The
// Device is a copy: changing it does not change the inventory.
func (inv *Inventory) Device(name string) (*Device, bool) {
	i, ok := inv.byName[name]
	if !ok {
		return nil, false
	}
	return inv.devices[i].clone(), true
}

// Devices returns every device, in the order they are declared.
func (inv *Inventory) Devices() []*Device {
	out := make([]*Device, len(inv.devices))
	for i, d := range inv.devices {
		out[i] = d.clone()
	}
	return out
}

// Names returns the device names, in the order they are declared.
func (inv *Inventory) Names() []string {
	out := make([]string, len(inv.devices))
	for i, d := range inv.devices {
		out[i] = d.Name
	}
	return out
}

// String summarises the inventory; the devices are printed one by one.
func (inv *Inventory) String() string {
	return fmt.Sprintf("inventory %s (%d devices)", strings.Join(inv.Files, ", "), len(inv.devices))
}

// Format prints String for every verb, so that printing an inventory with
// %+v or %#v cannot walk into its devices' credentials.
func (inv *Inventory) Format(f fmt.State, _ rune) { io.WriteString(f, inv.String()) }

// MarshalJSON writes {"files": [...], "devices": [...]}.
func (inv *Inventory) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Files   []string  `json:"files"`
		Devices []*Device `json:"devices"`
	}{slices.Clone(inv.Files), inv.devices})
}

func (d *Device) clone() *Device {
	c := *d
	c.Groups = slices.Clone(d.Groups)
	c.Inherits = slices.Clone(d.Inherits)
	c.Sources = maps.Clone(d.Sources)
	return &c
}

// Check reports every device that is not a node of the topology (nodes
// holds the node names), with the close node names as a hint, and every
// device whose platform is unknown. An inventory from Load, Parse or an
// importer has only known platforms; the second check is for inventories
// whose devices were changed in Go.
func (inv *Inventory) Check(nodes map[string]bool) diag.Diagnostics {
	var ds diag.Diagnostics
	names := slices.Sorted(maps.Keys(nodes))
	for _, d := range inv.devices {
		if !nodes[d.Name] {
			hint := "name devices after the topology's nodes, or add the node to the topology"
			if h := diag.DidYouMean(diag.Near(d.Name, names)); h != "" {
				hint = h
			}
			ds.Add(d.Pos, hint, "device %s is not a node of the topology", d.Name)
		}
		if !KnownPlatform(d.Platform) {
			at := d.Pos
			if s, ok := d.Sources[FieldPlatform]; ok && s.Pos.File != "" {
				at = s.Pos
			}
			ds.Add(at, PlatformHint(d.Platform), "device %s: unknown platform %q", d.Name, d.Platform)
		}
	}
	ds.Sort()
	return ds
}

// layer is one level of settings as written: the defaults, a group or a
// device.
type layer struct {
	desc   string   // "defaults", "group core", "device p1"
	name   string   // group or device name
	pos    diag.Pos // where it is declared
	groups []ref    // groups it inherits from, in order
	vals   map[string]setting
	// broken holds settings written but invalid (reported), so that a
	// device is not also told it lacks them.
	broken map[string]bool
}

type ref struct {
	name string
	pos  diag.Pos
}

type setting struct {
	pos   diag.Pos
	layer string // overrides the layer's desc in Source, when set
	v     any    // string, int, Credential, HostKeyPolicy or time.Duration
}

func newLayer(desc, name string, pos diag.Pos) *layer {
	return &layer{desc: desc, name: name, pos: pos, vals: map[string]setting{}, broken: map[string]bool{}}
}

func (l *layer) set(field string, pos diag.Pos, v any) { l.vals[field] = setting{pos: pos, v: v} }

// build resolves every device against its groups and the defaults,
// reporting unknown groups, group cycles, unused groups and devices left
// without a host or a platform. groups are in declaration order. The
// inventory is nil when ds holds an error (after this or before).
func build(files []string, defaults *layer, groups, devices []*layer, ds *diag.Diagnostics) *Inventory {
	byName := make(map[string]*layer, len(groups))
	for _, g := range groups {
		byName[g.name] = g
	}
	groupNames := make([]string, 0, len(groups))
	for _, g := range groups {
		groupNames = append(groupNames, g.name)
	}
	slices.Sort(groupNames)
	checkRefs := func(l *layer) {
		for _, r := range l.groups {
			if _, ok := byName[r.name]; !ok {
				hint := "declare it under groups"
				if h := diag.DidYouMean(diag.Near(r.name, groupNames)); h != "" {
					hint = h
				}
				ds.Add(r.pos, hint, "%s: unknown group %q", l.desc, r.name)
			}
		}
	}
	for _, g := range groups {
		checkRefs(g)
	}
	for _, d := range devices {
		checkRefs(d)
	}
	reportCycles(groups, byName, ds)

	used := map[string]bool{}
	inv := &Inventory{Files: files, byName: make(map[string]int, len(devices))}
	for _, l := range devices {
		chain := []*layer{l}
		seen := map[string]bool{}
		var walk func(refs []ref)
		walk = func(refs []ref) {
			for _, r := range refs {
				g, ok := byName[r.name]
				if !ok || seen[r.name] {
					continue
				}
				seen[r.name], used[r.name] = true, true
				chain = append(chain, g)
				walk(g.groups)
			}
		}
		walk(l.groups)
		chain = append(chain, defaults)
		if d := resolve(l, chain, ds); d != nil {
			inv.byName[d.Name] = len(inv.devices)
			inv.devices = append(inv.devices, d)
		}
	}
	for _, g := range groups {
		if !used[g.name] {
			ds.Warn(g.pos, "give a device groups: ["+g.name+"], or remove the group", "group %s is used by no device", g.name)
		}
	}
	ds.Sort()
	if ds.HasErrors() {
		return nil
	}
	return inv
}

// reportCycles reports each cycle among the groups once, at the
// reference that closes it.
func reportCycles(groups []*layer, byName map[string]*layer, ds *diag.Diagnostics) {
	const (
		unvisited = iota
		active
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(g *layer)
	visit = func(g *layer) {
		state[g.name] = active
		path = append(path, g.name)
		for _, r := range g.groups {
			next, ok := byName[r.name]
			if !ok {
				continue
			}
			switch state[r.name] {
			case active:
				i := slices.Index(path, r.name)
				cycle := append(slices.Clone(path[i:]), r.name)
				ds.Add(r.pos, "a group cannot inherit from itself, directly or through other groups; remove one of these references",
					"%s: groups inherit in a cycle: %s", g.desc, strings.Join(cycle, " -> "))
			case unvisited:
				visit(next)
			}
		}
		path = path[:len(path)-1]
		state[g.name] = done
	}
	for _, g := range groups {
		if state[g.name] == unvisited {
			visit(g)
		}
	}
}

// resolve builds the device of layer l from its chain of layers.
func resolve(l *layer, chain []*layer, ds *diag.Diagnostics) *Device {
	d := &Device{
		Name:    l.name,
		Pos:     l.pos,
		Groups:  []string{},
		Sources: map[string]Source{},
	}
	for _, r := range l.groups {
		d.Groups = append(d.Groups, r.name)
	}
	for _, c := range chain {
		d.Inherits = append(d.Inherits, c.desc)
	}
	lookup := func(field string) (any, bool) {
		for _, c := range chain {
			if s, ok := c.vals[field]; ok {
				src := Source{Layer: c.desc, Pos: s.pos}
				if s.layer != "" {
					src.Layer = s.layer
				}
				d.Sources[field] = src
				return s.v, true
			}
		}
		return nil, false
	}
	builtin := func(field string) { d.Sources[field] = Source{Layer: BuiltinLayer} }

	if v, ok := lookup(FieldPlatform); ok {
		d.Platform = v.(string)
	}
	if v, ok := lookup(FieldHost); ok {
		d.Host = v.(string)
	}
	d.Port = DefaultPort
	if v, ok := lookup(FieldPort); ok {
		d.Port = v.(int)
	} else {
		builtin(FieldPort)
	}
	for field, dst := range map[string]*Credential{FieldUsername: &d.Username, FieldPassword: &d.Password, FieldKey: &d.Key, FieldPassphrase: &d.Passphrase} {
		if v, ok := lookup(field); ok {
			*dst = v.(Credential)
		}
	}
	d.HostKey = HostKeyPolicy{KnownHosts: DefaultKnownHosts}
	if v, ok := lookup(FieldHostKey); ok {
		d.HostKey = v.(HostKeyPolicy)
	} else {
		builtin(FieldHostKey)
	}
	d.Timeouts = Timeouts{Connect: DefaultConnectTimeout, Command: DefaultCommandTimeout}
	if v, ok := lookup(FieldConnectTimeout); ok {
		d.Timeouts.Connect = v.(time.Duration)
	} else {
		builtin(FieldConnectTimeout)
	}
	if v, ok := lookup(FieldCommandTimeout); ok {
		d.Timeouts.Command = v.(time.Duration)
	} else {
		builtin(FieldCommandTimeout)
	}

	where := strings.Join(d.Inherits, ", ")
	good := true
	broken := func(field string) bool {
		return slices.ContainsFunc(chain, func(c *layer) bool { return c.broken[field] })
	}
	if broken(FieldPlatform) || broken(FieldHost) {
		good = false // reported where it is written
	}
	if d.Platform == "" && !broken(FieldPlatform) {
		ds.Add(l.pos, "set platform: (such as frr_vtysh or cisco_iosxe) on one of: "+where, "%s has no platform", l.desc)
		good = false
	}
	if d.Host == "" && !broken(FieldHost) {
		ds.Add(l.pos, "set host: (an address or DNS name) on one of: "+where, "%s has no host", l.desc)
		good = false
	}
	if !good {
		return nil
	}
	return d
}
