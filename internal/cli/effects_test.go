package cli

import (
	"strings"
	"testing"
)

// The examples without their effects: the gate judges what the
// configuration does. The outage plan is still denied at step 1, the
// variant whose step 1 says what the engineer believed (drain p2) is
// denied for the contradiction, naming the lines, and the safe plan is
// still allowed.
func TestExamplesWithoutEffects(t *testing.T) {
	tests := []struct {
		plan string
		code int
		want []string
	}{
		{"../../examples/no-effects/outage-plan.yaml", ExitDenied, []string{
			`step 1 "shift traffic off p2"`,
			`DENY  n1: step 1 "shift traffic off p2": if link ebs1-p2 fails, ebs1-s1 (secondary) ebs1->s1 goes to 700% (over 100%)`,
		}},
		{"../../examples/no-effects/outage-belief.yaml", ExitDenied, []string{
			`DENY  effects: step 1 "shift traffic off p2": its configuration ("max-metric router-lsa administrative" on p1 and p5, lines 34-35) drains p1 and p5; its effects say: drain p2 (line 41)`,
		}},
		{"../../examples/no-effects/safe-plan.yaml", ExitOK, []string{"ALLOWED  CHG-2011-04-21-B"}},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			out, errs, code := run(t, "check", tt.plan)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	// The JSON dry-run gives every derived effect with its lines.
	out, errs, code := run(t, "dryrun", "../../examples/no-effects/outage-plan.yaml", "--format", "json", "--n1=false")
	if code != 0 {
		t.Fatalf("dryrun: exit %d: %s", code, errs)
	}
	for _, w := range []string{`"source": "derived"`, `"type": "drain"`, `"node": "p5"`, `"text": " max-metric router-lsa administrative"`, `"rollback_source": "derived"`} {
		if !strings.Contains(out, w) {
			t.Errorf("dryrun JSON lacks %s", w)
		}
	}
}
