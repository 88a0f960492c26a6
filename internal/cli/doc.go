// Package cli is changegate's command line: cobra verbs, one file per
// verb, each parsing its flags and configuration into typed arguments,
// calling the package that does the work, and handing the result to a
// renderer. It is the only package that touches viper, and nothing
// imports it but cmd/changegate.
package cli
