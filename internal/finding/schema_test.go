package finding

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchemaFile is the SARIF 2.1.0 JSON schema (testdata/README.md says
// where it comes from).
const sarifSchemaFile = "testdata/sarif-2.1.0-rtm.5.json"

// sarifSchema compiles the SARIF schema once, asserting formats (uri,
// uri-reference, date-time) as well as structure.
var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", sarifSchemaFile, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "file:///testdata/sarif-schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// validateSARIF checks a SARIF log against the SARIF 2.1.0 schema.
func validateSARIF(t testing.TB, b []byte) error {
	t.Helper()
	sch, err := sarifSchema()
	if err != nil {
		t.Fatalf("compile SARIF schema: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// hostile is a report whose every string is hostile to some format.
func hostile() *Report {
	text := "a\x00b\x1b[31m\uFFFE\xff\r\n]]><x>&amp;%0A::error::\u202e"
	return &Report{
		Tool: " \t", Version: text,
		Rules: []Rule{{ID: text, Title: text, Description: text}},
		Cases: []Case{
			{Suite: " \t\n", Name: "", File: "", Findings: []Finding{{Severity: Error, Rule: text, Message: text, Hint: text}}},
			{Suite: text, Name: text, File: text, Findings: []Finding{{Severity: Warning, Rule: "r", Message: text, Hint: text, File: text, Line: 1, Col: 1}}},
			{Suite: "s", Name: " ", File: "/abs/" + text},
		},
	}
}

func TestSARIFSchema(t *testing.T) {
	all := reports()
	all["hostile"] = hostile()
	for name, r := range all {
		t.Run(name, func(t *testing.T) {
			out := write(t, SARIF, r)
			if err := validateSARIF(t, out); err != nil {
				t.Errorf("%v\n%s", err, out)
			}
		})
	}
	// The schema is not vacuous: it rejects logs that break it.
	good := string(write(t, SARIF, sample()))
	for name, bad := range map[string]string{
		"unknown level":       strings.Replace(good, `"level": "warning"`, `"level": "fatal"`, 1),
		"wrong version":       strings.Replace(good, `"version": "2.1.0"`, `"version": "2.0.0"`, 1),
		"line 0":              strings.Replace(good, `"startLine": 3`, `"startLine": 0`, 1),
		"unknown property":    strings.Replace(good, `"ruleIndex"`, `"ruleNumber"`, 1),
		"invalid helpUri":     strings.Replace(good, `"helpUri": "https://`, `"helpUri": "not a uri`, 1),
		"invalid artifact":    strings.Replace(good, `"uri": "plans/maintenance.yaml"`, `"uri": "%zz"`, 1),
		"driver without name": strings.Replace(good, `"name": "changegate",`, ``, 1),
	} {
		if bad == good {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		if err := validateSARIF(t, []byte(bad)); err == nil {
			t.Errorf("%s: the schema accepted an invalid log", name)
		}
	}
}

// xmllint returns the path of xmllint. Without it the test is skipped,
// unless CI is set: CI installs libxml2-utils, so there it must fail.
func xmllint(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("xmllint")
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("xmllint not found and CI is set: install libxml2-utils (.ci/run does) to validate JUnit against testdata/junit.xsd")
	}
	t.Skip("xmllint not found: install libxml2-utils to validate JUnit output against testdata/junit.xsd")
	return ""
}

// validateJUnit checks a JUnit XML document against testdata/junit.xsd.
func validateJUnit(t *testing.T, lint string, doc []byte) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "junit.xsd"), path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

func TestJUnitSchema(t *testing.T) {
	lint := xmllint(t)
	all := reports()
	all["hostile"] = hostile()
	for name, r := range all {
		t.Run(name, func(t *testing.T) {
			out := write(t, JUnit, r)
			if err := validateJUnit(t, lint, out); err != nil {
				t.Errorf("%v\n%s", err, out)
			}
		})
	}
	// The schema is not vacuous: it rejects what test reporters reject.
	const head = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
	for name, doc := range map[string]string{
		"testcase without name":  `<testsuites><testsuite name="s" tests="1"><testcase classname="c" time="0"/></testsuite></testsuites>`,
		"suite without tests":    `<testsuites><testsuite name="s"/></testsuites>`,
		"suite with empty name":  `<testsuites><testsuite name="" tests="0"/></testsuites>`,
		"unknown element":        `<testsuites><testsuite name="s" tests="1"><testcase name="n" classname="c" time="0"><oops/></testcase></testsuite></testsuites>`,
		"failure without type":   `<testsuites><testsuite name="s" tests="1"><testcase name="n" classname="c" time="0"><failure message="m"/></testcase></testsuite></testsuites>`,
		"output before failure":  `<testsuites><testsuite name="s" tests="1"><testcase name="n" classname="c" time="0"><system-out/><failure type="t"/></testcase></testsuite></testsuites>`,
		"negative time":          `<testsuites><testsuite name="s" tests="1"><testcase name="n" classname="c" time="-1"/></testsuite></testsuites>`,
		"time not a number":      `<testsuites time="1s"/>`,
		"wrong document element": `<results/>`,
	} {
		if err := validateJUnit(t, lint, []byte(head+doc)); err == nil {
			t.Errorf("%s: the schema accepted an invalid document", name)
		}
	}
	ok := `<testsuites><testsuite name="s" tests="1"><properties><property name="k" value="v"/></properties><testcase name="n" classname="c" time="0.5" file="f"><failure message="m" type="t">body</failure><failure type="t2"/><system-out>o</system-out></testcase><system-out/></testsuite></testsuites>`
	if err := validateJUnit(t, lint, []byte(head+ok)); err != nil {
		t.Errorf("the schema rejected a valid Jenkins-style document: %v", err)
	}
}
