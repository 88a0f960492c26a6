// Package input loads what a plan is checked on: the plan, the topology
// it names (or one the request gives) with the demands of its traffic
// file, its runbook steps expanded and its health checks compiled.
//
// It is the one loader of a plan's inputs. operation.Loader.Inputs
// stops at the first stage with an error; validate reports the problems
// of every stage it gets through, each under its own rule, and shares
// topologies between the plans that name them through a Networks cache.
//
// Loading goes in stages (Stage): the plan parses; the health checks it
// writes compile; the topology and traffic files resolve inside the
// scope, read and validate; the runbook steps expand; the checks they
// render compile. A stage that cannot go on stops the stages that need
// it (no runbook expansion without a topology), and the others still
// run, so that one pass reports as much as can be known.
package input
