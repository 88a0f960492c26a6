// Package report renders results for people and machines: the dry-run as
// a compact terminal table or as stable JSON, and the topology model as
// text or JSON. Renderers write to an io.Writer and compute nothing the
// result does not already hold; an unknown format is an error.
package report
