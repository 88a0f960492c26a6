package plans

import (
	"errors"
	"fmt"
	"slices"
)

// Inverse returns the plan that undoes p once p has run to the end (a
// revert): p's steps in reverse order, where the step that undoes step k
//
//   - is named "undo " and k's name, on k's devices and wave, with k's soak;
//   - sends k's rollback_config as its config, and k's config as its
//     rollback_config;
//   - changes the model by undo[k-1], the effects that undo step k from the
//     state after it (k's rollback when the plan gives one, else the exact
//     inverse of its effects, which only a dry-run against the network can
//     compute: see dryrun.Undo), and is rolled back by k's own effects;
//   - checks the state it returns to, the state after step k-1, with the
//     checks of step k-1 (a check without a device is given each of k-1's
//     devices, since it moves to another step). The step undoing step 1
//     returns to the state before p, which p's pre-checks describe: it
//     runs them, and they are also the inverse's post-checks; p's
//     post-checks, describing the state after p, are its pre-checks.
//
// A step with neither configuration nor anything to undo in the model (a
// model-only step with rollback: []) has no inverse step. The title is
// "revert: " and p's title; id, author, ticket and risk are p's, so the
// revert needs the approvals p needed. Description, window, the files the
// plan names and File are left for the caller. A step that sends
// configuration without a rollback_config cannot be inverted: nothing
// says how to undo it on the device.
func Inverse(p *Plan, undo [][]Effect) (*Plan, error) {
	if p.HasRunbooks() {
		return nil, errors.New("invert plan: expand its runbook steps first")
	}
	if len(undo) != len(p.Steps) {
		return nil, fmt.Errorf("invert plan: %d undo effect lists for %d steps", len(undo), len(p.Steps))
	}
	var errs []error
	for _, s := range p.Steps {
		if len(s.Config) > 0 && len(s.RollbackConfig) == 0 {
			errs = append(errs, fmt.Errorf("step %q sends configuration but has no rollback_config: nothing says how to undo it on %s", s.Name, joinDevices(s.Devices)))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invert plan %s: %w", p.File, errors.Join(errs...))
	}
	inv := &Plan{
		ID: p.ID, Title: "revert: " + p.Title, Author: p.Author, Ticket: p.Ticket, Risk: p.Risk,
		PreChecks:  slices.Clone(p.PostChecks),
		PostChecks: slices.Clone(p.PreChecks),
	}
	for k := len(p.Steps); k >= 1; k-- {
		s := &p.Steps[k-1]
		effects := append(make([]Effect, 0, len(undo[k-1])), undo[k-1]...)
		if len(s.Config) == 0 && len(effects) == 0 {
			continue // nothing to undo, on the devices or in the model
		}
		is := Step{
			Name:           "undo " + s.Name,
			Devices:        slices.Clone(s.Devices),
			Config:         slices.Clone(s.RollbackConfig),
			RollbackConfig: slices.Clone(s.Config),
			Effects:        effects,
			Rollback:       append(make([]Effect, 0, len(s.Effects)), s.Effects...),
			HasRollback:    true,
			Soak:           s.Soak,
			Pos:            s.Pos,
		}
		if s.Wave != nil {
			w := *s.Wave
			is.Wave = &w
		}
		if k >= 2 {
			is.Checks = stateChecks(&p.Steps[k-2])
		} else {
			is.Checks = slices.Clone(p.PreChecks)
		}
		inv.Steps = append(inv.Steps, is)
	}
	if len(inv.Steps) == 0 {
		return nil, fmt.Errorf("invert plan %s: no step changes anything that could be undone", p.File)
	}
	return inv, nil
}

// stateChecks returns the checks of step s with every check that names no
// device given each of s's devices: the checks of the state after s, to
// run from another step. A check given several devices is named after
// each ("name (device)"), keeping names unique within the list.
func stateChecks(s *Step) []Check {
	var out []Check
	names := map[string]bool{}
	add := func(c Check) {
		base := c.Name
		for n := 2; names[c.Name]; n++ {
			c.Name = fmt.Sprintf("%s #%d", base, n)
		}
		names[c.Name] = true
		out = append(out, c)
	}
	for _, c := range s.Checks {
		if c.Device != "" {
			add(c)
			continue
		}
		for _, d := range s.Devices {
			cc := c
			cc.Device = d
			if len(s.Devices) > 1 {
				cc.Name = fmt.Sprintf("%s (%s)", c.Name, d)
			}
			add(cc)
		}
	}
	return out
}

func joinDevices(ds []string) string {
	switch len(ds) {
	case 0:
		return "its devices"
	case 1:
		return ds[0]
	}
	return fmt.Sprintf("%s and %d more", ds[0], len(ds)-1)
}
