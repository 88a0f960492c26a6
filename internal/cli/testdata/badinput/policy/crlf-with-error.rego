# CRLF line ends, and an undefined variable.
package corpus.extra

import rego.v1

deny contains result if {
	some step in input.plan.steps
	count(step.devices) > 10
	result := {"msg": sprintf("step %s touches more than 10 devices", [stpe.name])}
}
