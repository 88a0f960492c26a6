// Package devconfig reads the configuration lines a plan's step sends to a
// device and says what they do to the model of the network: which link
// direction's IGP metric they set, which link they shut down or bring up,
// which router they drain or undrain. The gate simulates these derived
// effects, not the effects a plan declares, so that it judges the commands
// rather than the engineer's description of them.
//
// There is one interpreter per configuration dialect (frr, iosxe, eos,
// iosxr, junos, srl), in a file of its own or sharing one where the
// dialects differ only in a few fields (ioslike.go), registered in one
// place (ensure, in platforms.go). Which platforms speak which dialect is
// said by their records in the platform registry (internal/platform); For
// takes a platform's name. Every line is classified:
// Modelled (it changes the model, and an Effect says how), Neutral (it
// does not change forwarding: a description, logging, a context line) or
// NotModelled (it may change forwarding and the model has no notion of
// it). Interfaces map to links through the topology's interface names,
// as each platform spells them (an abbreviated type, a unit or
// subinterface 0 left out); an interface that is no link's is an error
// at the line that names it when a line the model follows is about it.
// A line of the other IGP than the topology's is not modelled.
//
// It does no I/O and knows nothing of devices beyond their lines: it is
// not a parser of whole device configurations (Batfish's job), only of the
// changes a step makes.
package devconfig
