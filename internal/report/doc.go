// Package report renders results for people and machines; it is where
// changegate's views live. It renders the dry-run (a compact terminal
// table or stable JSON), the topology model (text or JSON), the gate's
// verdict (text, JSON, and as findings for JUnit, SARIF and GitHub
// through package finding), the approvers' review (Markdown and HTML),
// and a run of apply, recover or resume: its progress (a live view on a
// terminal, plain lines, or JSON events), its report, the state of a run
// as its journal tells it, and what the configuration changed in the
// policy set. Renderers write to an io.Writer and compute nothing the
// result does not already hold.
package report
