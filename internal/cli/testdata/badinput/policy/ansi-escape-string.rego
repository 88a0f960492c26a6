# An ANSI escape in a string, and a syntax error.
package corpus.extra

import rego.v1

deny contains result if {
	some step in input.plan.steps
	count(step.devices) > 10
	result := {"msg": sprintf("\u001b[2Jstep %s" +, [step.name])}
}
