# A byte order mark, then a syntax error.
package corpus.extra

import rego.v1

deny contains result if {
	some step inn input.plan.steps
	count(step.devices) > 10
	result := {"msg": sprintf("step %s touches more than 10 devices", [step.name])}
}
