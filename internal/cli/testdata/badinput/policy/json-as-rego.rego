{
  "version": 1,
  "verdict": "allowed",
  "stage": "check",
  "time": "2011-04-21T00:30:00Z",
  "digests": {
    "plan": "sha256:297f8616753189414d5c22c0c038cb88aec0dd81d706bde12590361b9db0e2b5",
    "topology": "sha256:b65ed233ca178f33fff7a5497f9204ba34f66fcd779f7c8725408bcd860cfb47",
    "traffic": "sha256:eaa091ee57e0d643f7ecc971f4fc801d85fc5cb1dc817931a6d4144f02133c38",
    "policy": "sha256:4f386601a0a0fec5239fe5d1beb32dd5b3dd3179f4f0ca3a0d404eccbd8db5da"
  },
  "plan": {
    "title": "cost out a-b on a",
    "file": "plan.yaml",
    "steps": 1
  },
  "summary": {
    "denials": 0,
    "warnings": 2
  },
  "policies": [
    {
      "name": "changegate.approvals",
      "file": "policies/approvals.rego",
      "title": "Approvals",
      "builtin": true
    },
    {
      "name": "changegate.blast_radius",
      "file": "policies/blast_radius.rego",
      "title": "Blast radius",
      "builtin": true
    },
    {
      "name": "changegate.capacity",
      "file": "policies/capacity.rego",
      "title": "Link capacity",
      "builtin": true
    },
    {
      "name": "changegate.health",
      "file": "policies/health.rego",
      "title": "Health checks",
      "builtin": true
    },
    {
      "name": "changegate.n1",
      "file": "policies/n1.rego",
      "title": "N-1 (single failure) safety of every state",
      "builtin": true
    },
    {
      "name": "changegate.reachability",
      "file": "policies/reachability.rego",
      "title": "Reachability",
      "builtin": true
    },
    {
      "name": "changegate.rollback",
      "file": "policies/rollback.rego",
      "title": "Rollback",
      "builtin": true
    },
    {
      "name": "changegate.window",
      "file": "policies/window.rego",
      "title": "Change window",
      "builtin": true
    }
  ],
  "results": [
    {
      "kind": "warn",
      "policy": "changegate.health",
      "file": "policies/health.rego",
      "line": 31,
      "msg": "the plan changes configuration (step 1) but has no post_checks",
      "facts": {
        "steps": [
          1
        ]
      },
      "source": {
        "file": "plan.yaml",
        "line": 2,
        "column": 1
      }
    },
    {
      "kind": "warn",
      "policy": "changegate.window",
      "file": "policies/window.rego",
      "line": 27,
      "msg": "the plan changes configuration but has no change window",
      "source": {
        "file": "plan.yaml",
        "line": 2,
        "column": 1
      }
    }
  ]
}
