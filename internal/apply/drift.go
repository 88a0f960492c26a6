package apply

import "github.com/changegate/changegate/internal/topology"

// RecordDrift is the type of the record of the network compared with the
// model before a run's first step (written by the caller, after the
// gate's record): DriftData.
const RecordDrift = "drift"

// DriftData is the network compared with the model before the first
// step: every difference found, how many of them change forwarding (and
// so refuse the run unless it broke glass), and why the network was not
// compared, when it was not.
type DriftData struct {
	Differences []topology.Difference `json:"differences"`
	Blocking    int                   `json:"blocking"`
	// Overridden says the run went on by break-glass although the network
	// differs, or could not be read.
	Overridden bool `json:"overridden,omitempty"`
	// Skipped says why the network was not compared ("" when it was).
	Skipped string `json:"skipped,omitempty"`
	// Error is why the network could not be read.
	Error string `json:"error,omitempty"`
}

// RecordType implements Data.
func (DriftData) RecordType() string { return RecordDrift }
