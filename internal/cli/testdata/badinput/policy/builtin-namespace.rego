# A user policy in the built-in namespace that would rewrite its parameters.
package changegate.params.approvals

import rego.v1

required := {"low": 0, "medium": 0, "high": 0}
