package discover

import (
	"errors"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
)

// checkText is what a text parser promises: a result exactly when there
// is no error, and every problem positioned on a line of the input.
func checkText(t *testing.T, name string, data []byte, isNil bool, err error) {
	t.Helper()
	if (err == nil) == isNil {
		t.Fatalf("result nil %v with error %v", isNil, err)
	}
	if err == nil {
		return
	}
	var le *diag.ListError
	if !errors.As(err, &le) {
		t.Fatalf("error is not a diag list: %T %v", err, err)
	}
	lines := 1 + strings.Count(string(data), "\n")
	for _, d := range le.Diags {
		if d.Pos.File != name || d.Pos.Line < 1 || d.Pos.Line > lines || d.Pos.Col < 1 {
			t.Fatalf("problem outside the input (%d lines): %v", lines, d)
		}
	}
}

func FuzzParseIOSOSPFDatabase(f *testing.F) {
	seedFiles(f, "testdata/cisco_ios*/*.ospf-database-router.txt",
		iosDB("198.18.0.1", iosLSA("198.18.0.1", "p2p 198.18.0.2 198.19.0.0 10", "stub 198.19.0.0 255.255.255.254 10")),
		"  LS age: 1\n  Advertising Router: x\n", "Router Link States (Area 1.2)\n  LS age: 1\n",
		"OSPF Router with ID (1.2.3.4) (Process ID 1)\n Router Link States (Area 0)\n  LS age: 1\n  Advertising Router: 1.2.3.4\n  Number of Links: 1\n    Link connected to: a Virtual Link\n     (Link ID) x: 1.1.1.1\n     (Link Data) y: 7\n       TOS 0 Metrics: 99999\n",
		"% Invalid input detected at '^' marker.", "")
	seedFiles(f, "testdata/arista_eos/*.ospf-database-router.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := ParseIOSOSPFDatabase("db", data)
		checkText(t, "db", data, db == nil, err)
	})
}

func FuzzParseIOSInterfaces(f *testing.F) {
	seedFiles(f, "testdata/cisco_ios*/*.interfaces.txt",
		"Gi1 is administratively down, line protocol is down\n  Internet address is 198.19.0.0/31\n  MTU 1500 bytes, BW 99999999999999999999 Kbit/sec\n",
		"Null0 is up, line protocol is up\n  Internet address is Unknown\n", "  indented first\n", "% Invalid", "")
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, err := ParseIOSInterfaces("ifs", data)
		checkText(t, "ifs", data, ifs == nil, err)
	})
}

func FuzzParseEOSInterfaces(f *testing.F) {
	seedFiles(f, "testdata/arista_eos/*.interfaces.json",
		`{"interfaces": {"Ethernet1": {"interfaceStatus": "connected", "bandwidth": -1}}}`,
		`{"interfaces": {"": {}}}`, `{"interfaces": {"E1": {"interfaceStatus": 3}}}`, `{}`, `[`)
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, err := ParseEOSInterfaces("ifs", data)
		checkParse(t, "ifs", data, ifs == nil, err)
	})
}

func FuzzParseJunosOSPFDatabase(f *testing.F) {
	seedFiles(f, "testdata/juniper_junos/*.ospf-database-router.json",
		`{"ospf-database-information": [{}]}`,
		`{"ospf-database-information": [{"ospf-area-header": [{"ospf-area": [{"data": "7"}]}], "ospf-database": [{"lsa-type": [{"data": "Router"}], "advertising-router": [{"data": "1.1.1.1"}], "our-entry": [{"data": [null]}], "ospf-router-lsa": [{"ospf-link": [{"link-id": [{"data": "1.1.1.2"}], "link-data": [{"data": "4"}], "link-type-name": [{"data": "PointToPoint"}], "metric": [{"data": "1"}]}]}]}]}]}`,
		`{"ospf-database-information": [{"ospf-database": [{"lsa-type": [{"data": 1}]}]}]}`, `error: syntax error`, "{}\n{master:0}\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := ParseJunosOSPFDatabase("db", data)
		checkParse(t, "db", junosTrim(data), db == nil, err)
	})
}

func FuzzParseJunosInterfaces(f *testing.F) {
	seedFiles(f, "testdata/juniper_junos/*.interfaces.json",
		`{"interface-information": [{"physical-interface": [{"name": [{"data": "ge-0/0/0"}], "speed": [{"data": "999999999999Tbps"}], "logical-interface": [{"name": [{"data": "ge-0/0/0.0"}], "if-config-flags": [{"iff-down": [{"data": [null]}]}], "address-family": [{"address-family-name": [{"data": "inet"}], "interface-address": [{"ifa-local": [{"data": "198.19.0.0"}], "ifa-destination": [{"data": "bad"}]}]}]}]}]}]}`,
		`{"interface-information": []}`, `{"interface-information": [{"physical-interface": [{}]}]}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, err := ParseJunosInterfaces("ifs", data)
		checkParse(t, "ifs", junosTrim(data), ifs == nil, err)
	})
}

func FuzzParseSRLOSPFDatabase(f *testing.F) {
	seedFiles(f, "testdata/nokia_srl/*.ospf-database-router.json",
		`{"instance": [{"router-id": "198.18.0.1", "area": [{"area-id": "9", "lsdb": {"lsa": [{"advertising-router": "198.18.0.1", "router-lsa": {"links": [{"type": "router-lsa-p2p", "link-id": "198.18.0.2", "link-data": 4294967295, "metric": 1}]}}]}}]}]}`,
		`{"instance": [{"router-id": "198.18.0.1", "area": [{"lsdb": {"lsa": [{"advertising-router": "198.18.0.1", "router-lsa": 1}]}}]}]}`,
		`{"instance": [{"router-id": "x", "area": []}, {"router-id": "198.18.0.2", "area": []}]}`, `[[[[]]]]`)
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := ParseSRLOSPFDatabase("db", data)
		checkParse(t, "db", data, db == nil, err)
	})
}

func FuzzParseSRLInterfaces(f *testing.F) {
	seedFiles(f, "testdata/nokia_srl/*.interfaces.json",
		`{"interface": [{"name": "e1", "subinterface": [{"index": 0, "ipv4": {"address": [{"ip-prefix": "x"}]}}, 7]}]}`,
		`{"interface": [{}]}`, `{"srl_nokia-interfaces:interface": []}`, `[]`)
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, err := ParseSRLInterfaces("ifs", data)
		checkParse(t, "ifs", data, ifs == nil, err)
	})
}
