package plans

import "testing"

// TestIdentity: an author and an approver compare by the identity they
// name, whichever way it is written.
func TestIdentity(t *testing.T) {
	tests := []struct {
		in, want string
		valid    bool
	}{
		{"Jane Doe <jane@example.net>", "jane@example.net", true},
		{"Jane Doe <Jane@Example.NET>", "jane@example.net", true},
		{"  jane@example.net ", "jane@example.net", true},
		{"<jane@example.net>", "jane@example.net", true},
		{"Doe, Jane < jane@example.net >", "jane@example.net", true},
		{"jane", "jane", true},
		{"Jane", "jane", true},
		{"", "", false},
		{"Jane Doe", "jane doe", false},
		{"Jane Doe <jane@example.net", "jane doe <jane@example.net", false},
		{"Jane <>", "", false},
		{"Jane <jane doe@example.net>", "jane doe@example.net", false},
		{"a <b> <c@x>", "c@x", false},
		{"jane,bob", "jane,bob", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Identity(tt.in); got != tt.want {
				t.Errorf("Identity(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := validIdentity(tt.in); got != tt.valid {
				t.Errorf("validIdentity(%q) = %v, want %v", tt.in, got, tt.valid)
			}
		})
	}
	p := &Plan{Author: "Jane Doe <JANE@example.net>"}
	if got := p.AuthorIdentity(); got != "jane@example.net" {
		t.Errorf("AuthorIdentity() = %q", got)
	}
}
