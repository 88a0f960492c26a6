// Package finding is the shared result model of the commands that judge
// files in CI (changegate validate, changegate check) and the writers that
// turn it into the formats CI systems read: text for people, a versioned
// JSON document, JUnit XML for test reporters, SARIF 2.1.0 for code
// scanning, and GitHub Actions workflow commands for inline annotations.
//
// A Report holds Cases (one thing that was checked, shown even when it
// passes), each with its Findings. Writers sort what they print, so the
// output depends only on the Report's content, never on the order in which
// checks finished. An unknown format name is an error (ParseFormat).
//
// The package computes nothing: deciding what is a finding, and the exit
// code, belongs to the callers. docs/ci-formats.md describes each format
// for users.
package finding
