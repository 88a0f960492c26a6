package finding

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// The JUnit XML document, in the Ant/Jenkins shape that
// testdata/junit.xsd describes.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// WriteJUnit writes r as JUnit XML for CI test reporters: one <testsuite>
// per Case.Suite and one <testcase> per Case, passing or not. A case with
// error findings gets one <failure>, whose message is the first error and
// whose body lists all the case's findings as WriteText does; warnings and
// notes also go to the case's <system-out>. JUnit's errors count (crashed
// tests) is always 0. A case without a suite goes in a suite named after
// the tool, and a case without a name is named after its file.
func WriteJUnit(w io.Writer, r *Report) error {
	s, err := prepare(r)
	if err != nil {
		return err
	}
	doc := junitSuites{Name: s.Tool}
	index := map[string]int{} // suite name -> position in doc.Suites
	var times []time.Duration // per suite
	var total time.Duration
	for i := range s.cases {
		c := &s.cases[i]
		suite := nonBlank(c.Suite, s.Tool, "changegate")
		k, ok := index[suite]
		if !ok {
			k = len(doc.Suites)
			index[suite] = k
			doc.Suites = append(doc.Suites, junitSuite{Name: suite})
			times = append(times, 0)
		}
		js := &doc.Suites[k]
		jc := junitCase{
			Name:      nonBlank(c.Name, c.File, "unnamed"),
			Classname: suite,
			File:      c.File,
			Time:      seconds(c.Time),
		}
		var out strings.Builder
		for j := range c.Findings {
			if f := &c.Findings[j]; f.Severity != Error {
				writeLine(&out, f)
			}
		}
		jc.SystemOut = out.String()
		if c.Failed() {
			var body strings.Builder
			first := -1
			for j := range c.Findings {
				f := &c.Findings[j]
				if first < 0 && f.Severity == Error {
					first = j
				}
				writeLine(&body, f)
			}
			jc.Failure = &junitFailure{
				Message: printable(c.Findings[first].Message, ""),
				Type:    c.Findings[first].Rule,
				Body:    body.String(),
			}
			js.Failures++
			doc.Failures++
		}
		js.Tests++
		doc.Tests++
		js.Cases = append(js.Cases, jc)
		times[k] += max(c.Time, 0)
		total += max(c.Time, 0)
	}
	for k := range doc.Suites {
		doc.Suites[k].Time = seconds(times[k])
	}
	doc.Time = seconds(total)

	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	b.WriteByte('\n')
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

// nonBlank returns the first string that is not empty or all white space:
// JUnit readers need names.
func nonBlank(s ...string) string {
	for _, v := range s[:len(s)-1] {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return s[len(s)-1]
}
