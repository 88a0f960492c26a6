# A policy that posts the plan to a server.
package corpus.extra

import rego.v1

deny contains result if {
	some step in input.plan.steps
	http.send({"method": "POST", "url": "http://127.0.0.1:9/", "body": input}).status_code == 200
	result := {"msg": sprintf("step %s touches more than 10 devices", [step.name])}
}
