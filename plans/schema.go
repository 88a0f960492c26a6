package plans

import _ "embed"

//go:embed plan.schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the plan YAML format,
// for editors and other tools. It checks the shape of a plan; Parse checks
// more (unique names, that a regex compiles, that a window ends after it
// starts, that a wave's batch fits its devices, time zones).
func Schema() []byte { return append([]byte(nil), schema...) }
