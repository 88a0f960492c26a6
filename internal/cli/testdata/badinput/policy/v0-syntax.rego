# Rego v0 syntax, which changegate does not take.
package corpus.extra

deny[msg] {
	input.plan.risk == "high"
	msg := "high risk"
}
