package platform

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
)

// Registry holds platform records by name, in the order they were
// registered, and the names other tools give them.
type Registry struct {
	list   []Platform
	byName map[string]int
	nornir map[string]string // Nornir name -> platform
	kinds  map[string]string // containerlab kind -> platform
	sealed bool
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: map[string]int{}, nornir: map[string]string{}, kinds: map[string]string{}}
}

// Register adds p. It is an error, naming every problem, when p is not a
// whole record (a name, a description, configuration commands that keep
// the promises of its guarantees), or when its name, a Nornir name or a
// containerlab kind is taken: a Nornir name may not be another platform's
// name either, since a platform's own name wins. A zero Config registers
// as CommandsOnly.
func (r *Registry) Register(p Platform) error {
	if r.sealed {
		return fmt.Errorf("platform %s: the registry is sealed", p.Name)
	}
	p = p.clone()
	if len(p.Config.Enter) == 0 && p.Config.Method == "" && p.Config.Tested == "" {
		p.Config.Method, p.Config.Tested = CommandsOnly.Method, CommandsOnly.Tested
	}
	probs := p.check()
	if _, dup := r.byName[p.Name]; dup {
		probs = append(probs, "registered twice")
	}
	if other, ok := r.nornir[p.Name]; ok {
		probs = append(probs, fmt.Sprintf("the name is a Nornir name of %s", other))
	}
	seen := map[string]bool{}
	for _, n := range p.Nornir {
		switch other, taken := r.nornir[n]; {
		case seen[n]:
			probs = append(probs, fmt.Sprintf("Nornir name %q listed twice", n))
		case taken:
			probs = append(probs, fmt.Sprintf("Nornir name %q is already %s's", n, other))
		case n != p.Name && r.has(n):
			probs = append(probs, fmt.Sprintf("Nornir name %q is the name of another platform", n))
		}
		seen[n] = true
	}
	clear(seen)
	for _, k := range p.Containerlab {
		switch other, taken := r.kinds[k]; {
		case seen[k]:
			probs = append(probs, fmt.Sprintf("containerlab kind %q listed twice", k))
		case taken:
			probs = append(probs, fmt.Sprintf("containerlab kind %q is already %s's", k, other))
		}
		seen[k] = true
	}
	if len(probs) > 0 {
		return fmt.Errorf("platform %s: %s", p.Name, strings.Join(probs, "; "))
	}
	r.byName[p.Name] = len(r.list)
	r.list = append(r.list, p)
	for _, n := range p.Nornir {
		r.nornir[n] = p.Name
	}
	for _, k := range p.Containerlab {
		r.kinds[k] = p.Name
	}
	return nil
}

func (r *Registry) has(name string) bool {
	_, ok := r.byName[name]
	return ok
}

// Lookup returns the platform called name.
func (r *Registry) Lookup(name string) (Platform, bool) {
	i, ok := r.byName[name]
	if !ok {
		return Platform{}, false
	}
	return r.list[i].clone(), true
}

// Known reports whether a platform is called name.
func (r *Registry) Known(name string) bool { return r.has(name) }

// All returns every platform, in registration order.
func (r *Registry) All() []Platform {
	out := make([]Platform, len(r.list))
	for i, p := range r.list {
		out[i] = p.clone()
	}
	return out
}

// Names returns every platform's name, in registration order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.list))
	for i, p := range r.list {
		out[i] = p.Name
	}
	return out
}

// FromNornir returns the platform a Nornir inventory means by name, one
// of the platforms' Nornir names (not their own names).
func (r *Registry) FromNornir(name string) (string, bool) {
	p, ok := r.nornir[name]
	return p, ok
}

// FromContainerlab returns the platform of a containerlab node kind.
func (r *Registry) FromContainerlab(kind string) (string, bool) {
	p, ok := r.kinds[kind]
	return p, ok
}

// Nornir maps every Nornir name of a platform to the platform's name.
func (r *Registry) Nornir() map[string]string { return maps.Clone(r.nornir) }

// Containerlab maps every containerlab kind of a platform to the
// platform's name.
func (r *Registry) Containerlab() map[string]string { return maps.Clone(r.kinds) }

var builtin = sync.OnceValue(func() *Registry {
	r := NewRegistry()
	if err := registerBuiltin(r); err != nil {
		panic(errors.Join(errors.New("platform: the built-in platforms do not register"), err))
	}
	r.sealed = true
	return r
})

// Builtin returns the registry of the platforms changegate ships,
// registered in one place (builtin.go) on first use. It is sealed:
// Register on it returns an error.
func Builtin() *Registry { return builtin() }
