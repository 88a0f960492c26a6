package discover

import (
	"bytes"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
)

const (
	iosDatabaseHint   = "give the output of `show ip ospf database router` (IOS-XE, EOS) or `show ospf database router` (IOS-XR), unchanged"
	iosInterfacesHint = "give the output of `show interfaces` (IOS-XE, IOS-XR), unchanged"
)

var (
	iosRouterIDRE = regexp.MustCompile(`^\s*OSPF Router with ID\s*\((\S+)\)\s*\(Process ID ([^)]*)\)`)
	iosSectionRE  = regexp.MustCompile(`^\s*(.*?)\s*Link States \(Area ([^)\s]+)\)`)
	iosLSAStartRE = regexp.MustCompile(`^\s*LS age:`)
	iosAdvRE      = regexp.MustCompile(`^\s*Advertising Router:\s*(\S+)\s*$`)
	iosNumLinksRE = regexp.MustCompile(`^\s*Number of Links:\s*(\d+)\s*$`)
	iosLinkRE     = regexp.MustCompile(`^\s*Link connected to:?\s*(.*?)\s*$`)
	iosLinkIDRE   = regexp.MustCompile(`^\s*\(Link ID\)[^:]*:\s*(\S+)\s*$`)
	iosLinkDataRE = regexp.MustCompile(`^\s*\(Link Data\)[^:]*:\s*(\S+)\s*$`)
	iosMetricRE   = regexp.MustCompile(`^\s*TOS 0 Metrics?:\s*(\S+)\s*$`)
	iosSummaryRE  = regexp.MustCompile(`^\s*Link ID\s+ADV Router\s+Age`)
)

// iosLinkKind maps the text after "Link connected to:" to a kind.
func iosLinkKind(s string) string {
	switch t := strings.ToLower(s); {
	case strings.Contains(t, "point-to-point"):
		return LinkPointToPoint
	case strings.Contains(t, "stub"):
		return LinkStub
	case strings.Contains(t, "transit"):
		return LinkTransit
	case strings.Contains(t, "virtual"):
		return LinkVirtual
	}
	return ""
}

// ParseIOSOSPFDatabase reads the router-LSAs as IOS prints them, and
// IOS-XR and EOS in the same form: a header "OSPF Router with ID (RID)
// (Process ID N)", per area a section "Router Link States (Area A)", and
// per LSA the lines "LS age:", "Advertising Router:", "Number of Links:"
// and, per link, "Link connected to: KIND", "(Link ID) ...: ID", "(Link
// Data) ...: DATA" and "TOS 0 Metrics: M". Other lines (options,
// checksums, sequence numbers, MTID counts, a timestamp) are skipped; a
// line starting with "%" (a refused command) is an error, as is the
// database's summary table, an output without router-LSAs, a link
// without its id, data or metric, a count of links that differs from the
// links read (cut-off output), or a second OSPF process with another
// router id. Areas are written as dotted quads. name is as for
// ParseFRROSPFDatabase.
func ParseIOSOSPFDatabase(name string, data []byte) (*OSPFDatabase, error) {
	var ds diag.Diagnostics
	db := &OSPFDatabase{}
	var (
		header, skip bool
		area         string
		lsa          *RouterLSA
		lsaLine      int
		want         = -1 // Number of Links
		seen         = map[string]bool{}
		link         *iosLink
	)
	pos := func(line int) diag.Pos { return diag.Pos{File: name, Line: line, Col: 1} }
	endLink := func() {
		if link == nil || lsa == nil {
			link = nil
			return
		}
		l := link
		link = nil
		switch {
		case l.id == "":
			ds.Add(pos(l.line), iosDatabaseHint, "router %s: the link has no (Link ID) line", lsa.Router)
			return
		case l.data == "":
			ds.Add(pos(l.line), iosDatabaseHint, "router %s: the link has no (Link Data) line", lsa.Router)
			return
		case l.metric < 0:
			ds.Add(pos(l.line), iosDatabaseHint, "router %s: the link has no \"TOS 0 Metrics\" line", lsa.Router)
			return
		}
		lk, bad := lsaLink(l.kind, l.id, l.data, l.metric)
		if bad != "" {
			ds.Add(pos(l.line), iosDatabaseHint, "router %s: %s", lsa.Router, bad)
			return
		}
		lk.Pos = pos(l.line)
		lsa.Links = append(lsa.Links, lk)
	}
	endLSA := func() {
		endLink()
		if lsa == nil {
			return
		}
		switch {
		case !lsa.Router.IsValid():
			ds.Add(pos(lsaLine), iosDatabaseHint, "an LSA without an \"Advertising Router:\" line")
		case want >= 0 && want != len(lsa.Links):
			ds.Add(pos(lsaLine), iosDatabaseHint+"; was the output cut off?", "router %s: \"Number of Links: %d\", but %d links read", lsa.Router, want, len(lsa.Links))
		case seen[lsa.Area+" "+lsa.Router.String()]:
			ds.Add(pos(lsaLine), "a database holds one router-LSA per router and area", "area %s: a second router-LSA of %s", lsa.Area, lsa.Router)
		default:
			seen[lsa.Area+" "+lsa.Router.String()] = true
			db.LSAs = append(db.LSAs, *lsa)
		}
		lsa, want = nil, -1
	}
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimRight(line, "\r")
		if strings.HasPrefix(strings.TrimSpace(line), "%") {
			ds.Add(pos(n), iosDatabaseHint, "the router refused the command: %s", diag.Excerpt(strings.TrimSpace(line)))
			continue
		}
		if m := iosRouterIDRE.FindStringSubmatch(line); m != nil {
			endLSA()
			a, err := netip.ParseAddr(m[1])
			switch {
			case err != nil || !a.Is4():
				ds.Add(pos(n), iosDatabaseHint, "router id %s is not an IPv4 address", diag.Excerpt(m[1]))
			case header && a != db.Self:
				ds.Add(pos(n), "discovery reads one OSPF process: the network's", "a second OSPF process (%s) with router id %s, not %s", diag.Excerpt(m[2]), a, db.Self)
			}
			db.Self, header = a, true
			continue
		}
		if m := iosSectionRE.FindStringSubmatch(line); m != nil {
			endLSA()
			skip = !strings.EqualFold(m[1], "Router")
			a, ok := areaID(m[2])
			if !ok {
				ds.Add(pos(n), iosDatabaseHint, "area %s is neither a number nor a dotted quad", diag.Excerpt(m[2]))
			}
			area = a
			continue
		}
		if skip {
			continue
		}
		if iosSummaryRE.MatchString(line) {
			ds.Add(pos(n), iosDatabaseHint+": the form that lists each LSA with its links", "the output is the database's summary table (Link ID, ADV Router, Age, ...), without the links")
			continue
		}
		switch {
		case iosLSAStartRE.MatchString(line):
			endLSA()
			if area == "" {
				ds.Add(pos(n), iosDatabaseHint, "an LSA before any \"Router Link States (Area A)\" line")
			}
			lsa, lsaLine = &RouterLSA{Area: area, Pos: pos(n)}, n
		case lsa == nil:
			// Headers, blank lines and a timestamp before the first LSA.
		case iosAdvRE.MatchString(line):
			s := iosAdvRE.FindStringSubmatch(line)[1]
			a, err := netip.ParseAddr(s)
			if err != nil || !a.Is4() {
				ds.Add(pos(n), iosDatabaseHint, "advertising router %s is not a router id", diag.Excerpt(s))
				continue
			}
			lsa.Router = a
		case iosNumLinksRE.MatchString(line):
			want, _ = strconv.Atoi(iosNumLinksRE.FindStringSubmatch(line)[1])
		case iosLinkRE.MatchString(line):
			endLink()
			s := iosLinkRE.FindStringSubmatch(line)[1]
			kind := iosLinkKind(s)
			if kind == "" {
				ds.Add(pos(n), `the kinds of link are "another Router (point-to-point)", "a Transit Network", "a Stub Network" and "a Virtual Link"`, "unknown link %s", diag.Excerpt(s))
				continue
			}
			link = &iosLink{line: n, kind: kind, metric: -1}
		case link == nil:
			// Lines of the LSA's header.
		case iosLinkIDRE.MatchString(line):
			link.id = iosLinkIDRE.FindStringSubmatch(line)[1]
		case iosLinkDataRE.MatchString(line):
			link.data = iosLinkDataRE.FindStringSubmatch(line)[1]
		case iosMetricRE.MatchString(line):
			s := iosMetricRE.FindStringSubmatch(line)[1]
			m, err := strconv.ParseInt(s, 10, 64)
			if err != nil || m < 0 || m > 0xFFFF {
				ds.Add(pos(n), "an OSPF metric is 0 to 65535", "metric %s is not a metric", diag.Excerpt(s))
				continue
			}
			link.metric = m
		}
	}
	endLSA()
	switch {
	case ds.HasErrors():
	case !header:
		ds.Add(pos(1), iosDatabaseHint+"; is OSPF running?", "no \"OSPF Router with ID\" line in the output: %s", diag.Excerpt(string(bytes.TrimSpace(data))))
	case len(db.LSAs) == 0:
		ds.Add(pos(1), iosDatabaseHint+"; is OSPF running in an area? A router's database holds at least its own router-LSA", "no router-LSA in the output")
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	sortLSAs(db)
	return db, nil
}

type iosLink struct {
	line     int
	kind     string
	id, data string
	metric   int64
}

var (
	iosIfHeaderRE = regexp.MustCompile(`^\s*(\S+) is ([a-z][a-z -]*?),\s*line protocol is ([a-z][a-z -]*?)\s*(\(.*\))?\s*$`)
	iosIfAddrRE   = regexp.MustCompile(`^\s+Internet address is (\S+)`)
	iosIfSecRE    = regexp.MustCompile(`^\s+Secondary address (\S+)`)
	iosIfDescRE   = regexp.MustCompile(`^\s+Description:\s?(.*?)\s*$`)
	iosIfBWRE     = regexp.MustCompile(`\bBW (\d+) Kbit`)
	iosTimeRE     = regexp.MustCompile(`^\s*[A-Z][a-z]{2} [A-Z][a-z]{2}\s+\d+ \d+:\d+:\d+`)
)

// ParseIOSInterfaces reads `show interfaces` as IOS-XE and IOS-XR print
// it: per interface a line "NAME is STATE, line protocol is STATE", then
// indented lines, of which it reads "Description:", "Internet address is
// A/N", "Secondary address A/N" and the bandwidth ("BW N Kbit"). An
// interface "administratively down" is shut; one whose state or protocol
// is not up is down. The bandwidth is the speed (IOS's BW is the
// configured bandwidth where one is set, else the interface's). A line
// that is neither an interface's first line, an indented line nor a
// timestamp is an error. name is as for ParseFRROSPFDatabase.
func ParseIOSInterfaces(name string, data []byte) ([]Interface, error) {
	var ds diag.Diagnostics
	var out []Interface
	var cur *Interface
	for i, line := range strings.Split(string(data), "\n") {
		pos := diag.Pos{File: name, Line: i + 1, Col: 1}
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.TrimSpace(line) == "":
			continue
		case strings.HasPrefix(strings.TrimSpace(line), "%"):
			ds.Add(pos, iosInterfacesHint, "the router refused the command: %s", diag.Excerpt(strings.TrimSpace(line)))
			continue
		}
		if m := iosIfHeaderRE.FindStringSubmatch(line); m != nil {
			out = append(out, Interface{Name: m[1], Pos: pos})
			cur = &out[len(out)-1]
			cur.AdminUp = !strings.Contains(m[2], "administratively") && m[2] != "deleted"
			cur.OperUp = cur.AdminUp && m[2] == "up" && strings.HasPrefix(m[3], "up")
			continue
		}
		indented := line[0] == ' ' || line[0] == '\t'
		switch {
		case !indented && iosTimeRE.MatchString(line):
		case !indented || cur == nil:
			ds.Add(pos, iosInterfacesHint, "line %s is not an interface's first line (NAME is up, line protocol is up)", diag.Excerpt(line))
		case iosIfAddrRE.MatchString(line) || iosIfSecRE.MatchString(line):
			m := iosIfAddrRE.FindStringSubmatch(line)
			if m == nil {
				m = iosIfSecRE.FindStringSubmatch(line)
			}
			p, err := netip.ParsePrefix(m[1])
			if err != nil {
				if !strings.EqualFold(m[1], "unknown") {
					ds.Add(pos, iosInterfacesHint, "%s: address %s is not an address with its prefix length", cur.Name, diag.Excerpt(m[1]))
				}
				continue
			}
			if p.Addr().Is4() {
				cur.Addrs = append(cur.Addrs, p)
			}
		case iosIfDescRE.MatchString(line):
			cur.Description = iosIfDescRE.FindStringSubmatch(line)[1]
		case iosIfBWRE.MatchString(line):
			kbit, err := strconv.ParseInt(iosIfBWRE.FindStringSubmatch(line)[1], 10, 64)
			if err != nil || kbit > 1<<50 {
				ds.Add(pos, iosInterfacesHint, "%s: bandwidth %s is out of range", cur.Name, diag.Excerpt(line))
				continue
			}
			cur.SpeedMbps = kbit / 1000
		}
	}
	if len(out) == 0 && !ds.HasErrors() {
		ds.Add(diag.Pos{File: name, Line: 1, Col: 1}, iosInterfacesHint, "no interface in the output: %s", diag.Excerpt(string(bytes.TrimSpace(data))))
	}
	return byName(out, ds)
}
