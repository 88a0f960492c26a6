package plans

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Identity returns the identity s names, in the form identities are
// compared in: the e-mail address of "Name <email>", else s itself (an
// e-mail address or an allowed-signers principal), without surrounding
// space and in lower case. E-mail addresses compare case-insensitively;
// so do principals here, which errs on the side of treating two spellings
// as the same person (an approval by the plan's author never counts).
// It returns "" for "".
func Identity(s string) string {
	s = strings.TrimSpace(s)
	if email, ok := bracketed(s); ok {
		s = email
	}
	return strings.ToLower(s)
}

// bracketed returns the e-mail address of "Name <email>" (Name may be
// empty), or false when s is not of that form.
func bracketed(s string) (string, bool) {
	if !strings.HasSuffix(s, ">") {
		return "", false
	}
	i := strings.LastIndexByte(s, '<')
	if i < 0 {
		return "", false
	}
	email := strings.TrimSpace(s[i+1 : len(s)-1])
	return email, true
}

// validIdentity reports whether s names one identity: "Name <email>" with
// an address of one word, or a single word (an e-mail address or a
// principal). Free text such as "Jane Doe" names nobody the gate can
// compare approvers with.
func validIdentity(s string) bool {
	s = strings.TrimSpace(s)
	id := s
	if email, ok := bracketed(s); ok {
		id = email
		if strings.ContainsAny(s[:strings.LastIndexByte(s, '<')], "<>") {
			return false
		}
	}
	return id != "" && !strings.ContainsAny(id, "<>,\" \t\r\n")
}

// AuthorIdentity is the identity of the plan's author (see Identity);
// "" when the plan names none.
func (p *Plan) AuthorIdentity() string { return Identity(p.Author) }

// author reads the author field: an identity, which the approvals policy
// compares approvers with.
func (ps *parser) author(v *yaml.Node) string {
	s := ps.text(v, "plan: author", "give who wrote the plan, or remove author")
	if s != "" && !validIdentity(s) {
		ps.y.Errorf(v, "write the author's e-mail address (Jane Doe <jane@example.net>, or jane@example.net) or principal in the allowed signers: approvals by the author do not count, and the gate finds them by it",
			"plan: author %q names no identity", s)
	}
	return s
}
