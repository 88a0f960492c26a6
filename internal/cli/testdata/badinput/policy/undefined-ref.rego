# A reference to data that does not exist, under strict compilation.
package corpus.extra

import rego.v1

deny contains result if {
	some step in data.nothing.here
	unused := 1
	count(step.devices) > 10
	result := {"msg": sprintf("step %s touches more than 10 devices", [step.name])}
}
