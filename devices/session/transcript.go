package session

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// Redacted replaces a secret in transcripts and outputs.
const Redacted = "<redacted>"

// secretConfig matches configuration that carries a secret after a
// keyword, on the platforms changegate knows: IOS/IOS-XR/EOS "password 7
// X", "secret 5 X", "key-string X", "snmp-server community X", FRR "ip
// ospf authentication-key X" and "message-digest-key 1 md5 X", Junos
// 'encrypted-password "X"' and 'secret "X"', SR Linux 'password X'. The
// last group is the value.
var secretConfig = regexp.MustCompile(`(?i)\b(password|secret|encrypted-password|key-string|authentication-key|pre-shared-key|md5|community|passphrase|auth-password|priv-password)((?:[ \t]+(?:0|5|7|8|9|encrypted|cleartext|hidden|unencrypted|sha256|plaintext))?[ \t]+)("[^"\n]*"|\S+)`)

// redactor hides a session's secrets: its credential values everywhere,
// and secret-looking configuration values in transcripts.
type redactor struct {
	secrets []string
}

func newRedactor(secrets []string) redactor {
	var s []string
	for _, x := range secrets {
		if len(x) >= 3 { // shorter "secrets" would redact ordinary text
			s = append(s, x)
		}
	}
	// Longest first, so a secret containing another is hidden whole.
	slices.SortFunc(s, func(a, b string) int { return len(b) - len(a) })
	return redactor{secrets: s}
}

// redactSecrets replaces every credential value in text.
func (r redactor) redactSecrets(text string) string {
	for _, s := range r.secrets {
		text = strings.ReplaceAll(text, s, Redacted)
	}
	return text
}

// redact replaces credential values and secret configuration values.
func (r redactor) redact(text string) string {
	text = r.redactSecrets(text)
	return secretConfig.ReplaceAllString(text, "${1}${2}"+Redacted)
}

// transcript is the session's raw transcript: scrapligo writes every byte
// read from the device to it (WithChannelLog), and the session adds notes.
// It is safe for concurrent use: scrapligo writes from its read goroutine.
type transcript struct {
	redactor redactor
	mu       sync.Mutex
	buf      bytes.Buffer
}

func newTranscript(secrets []string) *transcript {
	return &transcript{redactor: newRedactor(secrets)}
}

// Write appends what the device sent.
func (t *transcript) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.Write(p)
}

// note adds a line of changegate's own, starting "### " and the time, on
// a line of its own.
func (t *transcript) note(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.buf.Len() > 0 && !bytes.HasSuffix(t.buf.Bytes(), []byte("\n")) {
		t.buf.WriteByte('\n')
	}
	t.buf.WriteString("### " + time.Now().UTC().Format(time.RFC3339Nano) + " " + line + "\n")
}

func (t *transcript) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.Len()
}

// since returns what arrived after offset mark, redacted, without the
// echo of command when it leads.
func (t *transcript) since(mark int, command string) string {
	t.mu.Lock()
	text := string(t.buf.Bytes()[min(mark, t.buf.Len()):])
	t.mu.Unlock()
	text = strings.TrimLeft(text, "\n")
	if command != "" {
		if first := firstLine(text); strings.HasSuffix(strings.TrimSpace(first), command) {
			text = strings.TrimPrefix(text[len(first):], "\n")
		}
	}
	return t.redactor.redact(text)
}

// lastLine returns the last non-empty line received.
func (t *transcript) lastLine() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimRight(t.buf.String(), "\n "), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// bytes returns the whole transcript, redacted.
func (t *transcript) bytes() []byte {
	t.mu.Lock()
	text := t.buf.String()
	t.mu.Unlock()
	return []byte(t.redactor.redact(text))
}

// RedactConfig replaces secret-looking configuration values in text (a
// command someone typed, say) as transcripts do.
func RedactConfig(text string) string {
	return secretConfig.ReplaceAllString(text, "${1}${2}"+Redacted)
}
