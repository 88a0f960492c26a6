# A complete rule with two values: an error when evaluated.
package corpus.extra

import rego.v1

limit := 1 if input.plan
limit := 2 if input.plan

deny contains {"msg": "x"} if limit > 5
