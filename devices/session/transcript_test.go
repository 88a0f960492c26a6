package session

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	r := newRedactor([]string{"hunter22", "pw", "hunter22-long"})
	for _, tc := range []struct{ in, want string }{
		{"login ok for hunter22-long and hunter22", "login ok for <redacted> and <redacted>"},
		{"pw is too short to be redacted", "pw is too short to be redacted"}, // two-letter secrets would hide ordinary text
		{"username admin password 7 0822455D0A16", "username admin password 7 <redacted>"},
		{"enable secret 5 $1$abc$xyz", "enable secret 5 <redacted>"},
		{" ip ospf authentication-key s3cret", " ip ospf authentication-key <redacted>"},
		{" ip ospf message-digest-key 1 md5 s3cret", " ip ospf message-digest-key 1 md5 <redacted>"},
		{`set system root-authentication encrypted-password "$6$x$y"`, `set system root-authentication encrypted-password <redacted>`},
		{"snmp-server community public RO", "snmp-server community <redacted> RO"},
		{" key-string 0 abc", " key-string 0 <redacted>"},
		// A keyword at the end of a line does not reach into the next.
		{"Password:\nshow version", "Password:\nshow version"},
		{"show ip ospf neighbor", "show ip ospf neighbor"},
	} {
		if got := r.redact(tc.in); got != tc.want {
			t.Errorf("redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// Outputs lose credentials only: a health check may look at config.
	if got := r.redactSecrets("password 7 ABC hunter22"); got != "password 7 ABC <redacted>" {
		t.Errorf("redactSecrets: %q", got)
	}
}

func TestTranscript(t *testing.T) {
	tr := newTranscript([]string{"sekrit-pw"})
	tr.Write([]byte("r1# "))
	mark := tr.len()
	tr.Write([]byte("show run\nusername a password sekrit-pw\npartial"))
	if got := tr.since(mark, "show run"); got != "username a password <redacted>\npartial" {
		t.Errorf("since: %q", got)
	}
	tr.note("configure 2 lines")
	all := string(tr.bytes())
	if strings.Contains(all, "sekrit-pw") {
		t.Errorf("transcript shows the secret:\n%s", all)
	}
	if !strings.Contains(all, "partial\n### ") || !strings.HasSuffix(all, " configure 2 lines\n") {
		t.Errorf("note not on a line of its own:\n%s", all)
	}
	if got := tr.lastLine(); !strings.HasSuffix(got, "configure 2 lines") {
		t.Errorf("lastLine %q", got)
	}
}
