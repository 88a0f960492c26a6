package topology

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// matrixBase declares three nodes for the matrix tests; its demand_matrix
// starts at line 6.
const matrixBase = "name: m\nnodes:\n  - name: a\n  - name: b\n  - name: c\n"

// bothPaths parses data with the fast path for matrix rows and without
// it, fails unless both give the same network and the same diagnostics,
// and returns the rendering and whether the fast path was taken.
func bothPaths(t testing.TB, data []byte) (string, bool) {
	t.Helper()
	fastN, fastDs := Parse("m.yaml", data, ParseOptions{})
	slowN, slowDs := Parse("m.yaml", data, ParseOptions{slowMatrix: true})
	fast, slow := render(fastN, fastDs), render(slowN, slowDs)
	if fast != slow {
		t.Fatalf("fast path differs from the YAML parser on\n%s\n-- fast --\n%s-- slow --\n%s", data, fast, slow)
	}
	if diff := cmp.Diff(slowN, fastN); diff != "" {
		t.Fatalf("fast path gives another network on\n%s\n(-slow +fast):\n%s", data, diff)
	}
	_, fm := cutMatrixRows(data)
	return fast, fm != nil
}

func TestMatrixFastSameAsSlow(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		fast bool   // the fast path is taken
		want string // a line of the rendering, when not empty
	}{
		{"plain", "demand_matrix:\n  unit: k\n  nodes: [a, b, c]\n  rows:\n    - [0, 52.8, 1e3]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", true, "6 demands"},
		{"comments and blanks", "demand_matrix:\n  # the matrix\n  nodes: [a, b, c]\n  rows:   # in bps\n\n    - [0, 1, 2] # a\n# b\n    - [ 1 , 0,2 ]\n    - [3, 4, 0]\n\n", true, "6 demands"},
		{"CRLF", strings.ReplaceAll("demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 2.x]\n", "\n", "\r\n"), true, "m.yaml:11:14: demand_matrix: row 3 column 3"},
		{"no final line break", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]", true, "6 demands"},
		{"rows before nodes", "demand_matrix:\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n  nodes: [a, b, c]\n  unit: G\n", true, "6 demands"},
		{"keys after the matrix", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\nlinks:\n  - {a: a, b: b, capacity: 10G}\n  - {a: b, b: c, capacity: 10G}\n", true, "2 links, 6 demands"},
		{"bad number", "demand_matrix:\n  unit: M\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2.5.1]\n    - [3, 4, 0]\n", true, `m.yaml:11:14: demand_matrix: row 2 column 3: "2.5.1" is not a number`},
		{"own unit", "demand_matrix:\n  unit: M\n  nodes: [a, b, c]\n  rows:\n    - [0, 1G, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", true, `m.yaml:10:11: demand_matrix: row 1 column 2: "1G" has its own unit`},
		{"units in cells", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1G, 2M]\n    - [1k, 0, 2_000]\n    - [3Gbps, 4T, 0]\n", true, "6 demands"},
		{"negative", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, -1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", true, `m.yaml:9:11: demand_matrix: row 1 column 2: "-1" is negative`},
		{"infinite", "demand_matrix:\n  unit: T\n  nodes: [a, b, c]\n  rows:\n    - [0, 1e300, 2]\n    - [1, 0, 1e999]\n    - [3, 4, 0]\n", true, "is not a finite rate"},
		{"diagonal", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 7, 2]\n    - [3, 4, 0]\n", true, "m.yaml:10:11: demand_matrix: row 2 (b) has 7 on the diagonal"},
		{"short row", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0]\n    - [3, 4, 0]\n", true, "m.yaml:10:7: demand_matrix: row 2 has 2 entries for 3 nodes"},
		{"empty row", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - []\n    - [3, 4, 0]\n", true, "m.yaml:10:7: demand_matrix: row 2 has 0 entries for 3 nodes"},
		{"missing row", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n", true, "m.yaml:9:5: demand_matrix has 2 rows for 3 nodes"},
		{"bad unit", "demand_matrix:\n  unit: parsec\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", true, `unit "parsec" is not a rate unit`},
		{"unknown node", "demand_matrix:\n  nodes: [a, b, d]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", true, `unknown node "d"`},
		{"no nodes", "demand_matrix:\n  rows:\n    - [0, 1, 2]\n", true, "needs both nodes and rows"},
		{"rows key twice", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n  rows:\n    - [0]\n", true, `duplicate key "rows"`},
		{"matrix twice", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\ndemand_matrix: {}\n", true, `duplicate key "demand_matrix"`},
		{"error elsewhere", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\nlinks:\n  - {a: a, b: zz}\n", true, `unknown node "zz"`},
		{"syntax error elsewhere", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\nlinks: [\n", true, "invalid YAML"},

		// Forms the scanner leaves to the YAML parser.
		{"flow rows", "demand_matrix:\n  nodes: [a, b, c]\n  rows: [[0, 1, 2], [1, 0, 2], [3, 4, 0]]\n", false, "6 demands"},
		{"row across lines", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1,\n       2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", false, "6 demands"},
		{"block rows", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - - 0\n      - 1\n      - 2\n    - [1, 0, 2]\n    - [3, 4, 0]\n", false, "6 demands"},
		{"quoted cell", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, \"1\", 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", false, "6 demands"},
		{"null cell", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, null, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", false, "must be a scalar value"},
		{"anchor", "demand_matrix:\n  nodes: [a, b, c]\n  rows: &r\n    - [0, 1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", false, "6 demands"},
		{"rows at the key's indentation", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n  - [0, 1, 2]\n  - [1, 0, 2]\n  - [3, 4, 0]\n", false, "6 demands"},
		{"trailing comma", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0, 1, 2,]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", false, ""},
		{"tab", "demand_matrix:\n  nodes: [a, b, c]\n  rows:\n    - [0,\t1, 2]\n    - [1, 0, 2]\n    - [3, 4, 0]\n", false, ""},
		{"lone CR", "demand_matrix:\n  nodes: [a, b, c]\r  rows:\n    - [0, 1, 2]\n", false, ""},
		{"nested", "other:\n  demand_matrix:\n    nodes: [a, b, c]\n    rows:\n      - [0, 1, 2]\n", false, "unknown field"},
		{"in a quoted string", "name: \"x\ndemand_matrix:\n  rows:\n    - [0, 1, 2]\n\"\n", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, fast := bothPaths(t, []byte(matrixBase+tc.yaml))
			if fast != tc.fast {
				t.Errorf("fast path taken = %v, want %v", fast, tc.fast)
			}
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("got\n%s\nwant a line with %q", got, tc.want)
			}
		})
	}
}

// TestMatrixFastCellPositions puts a bad cell at every row and column of
// a matrix and checks that its message names that cell's line and column.
func TestMatrixFastCellPositions(t *testing.T) {
	const n = 4
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("n%d", i)
	}
	var b strings.Builder
	b.WriteString("nodes:\n")
	for _, s := range names {
		fmt.Fprintf(&b, "  - name: %s\n", s)
	}
	b.WriteString("demand_matrix:\n  unit: M\n  nodes: [" + strings.Join(names, ", ") + "]\n  rows:\n")
	head := b.String()
	firstRow := strings.Count(head, "\n") + 1
	for r := range n {
		for c := range n {
			var m strings.Builder
			m.WriteString(head)
			var col int
			for i := range n {
				line := "    - ["
				for j := range n {
					if j > 0 {
						line += ", "
					}
					if i == r && j == c {
						col = len(line) + 1
						line += "1.x"
					} else if i == j {
						line += "0"
					} else {
						line += "12.5"
					}
				}
				m.WriteString(line + "]\n")
			}
			got, fast := bothPaths(t, []byte(m.String()))
			if !fast {
				t.Fatal("the fast path was not taken")
			}
			want := fmt.Sprintf("m.yaml:%d:%d: demand_matrix: row %d column %d: \"1.x\" is not a number", firstRow+r, col, r+1, c+1)
			if !strings.Contains(got, want) {
				t.Errorf("got\n%s\nwant %s", got, want)
			}
		}
	}
}

// TestMatrixFastWritten: what Write produces for a large matrix is read by
// the fast path, and gives back the same demands.
func TestMatrixFastWritten(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := &Network{Name: "w"}
	for i := range 60 {
		n.Nodes = append(n.Nodes, Node{Name: fmt.Sprintf("r%d", i)})
	}
	for i := range n.Nodes {
		for j := range n.Nodes {
			if i != j && rng.IntN(4) > 0 {
				n.Demands = append(n.Demands, Demand{Src: n.Nodes[i].Name, Dst: n.Nodes[j].Name, RateBps: float64(rng.IntN(1e6)) * 1e3})
			}
		}
	}
	var b strings.Builder
	if err := Write(&b, n); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "demand_matrix:") {
		t.Fatal("Write did not write a matrix")
	}
	out, fast := bothPaths(t, []byte(b.String()))
	if !fast {
		t.Fatalf("the fast path was not taken on Write's matrix:\n%s", out)
	}
	back, ds := Parse("w.yaml", []byte(b.String()), ParseOptions{})
	if back == nil {
		t.Fatal(ds)
	}
	if diff := cmp.Diff(n.Demands, back.Demands); diff != "" {
		t.Errorf("demands differ (-written +read):\n%s", diff)
	}
}

// FuzzMatrixFast: for any text, the fast path for matrix rows and the
// YAML parser give the same network and the same diagnostics.
func FuzzMatrixFast(f *testing.F) {
	for _, s := range []string{
		"demand_matrix:\n  unit: k\n  nodes: [a, b, c]\n  rows:\n    - [0, 52.8, 1e3]\n    - [1, 0, 2]\n    - [3, 4, 0]\n",
		"demand_matrix:\n  nodes: [a, b, c]\n  rows:   # x\n\n    - [0, 1G, 2] # a\n# b\n    - [ 1 , 0,2 ]\n    - [3, -4, 0]\nlinks: []\n",
		"demand_matrix:\n  rows:\n    - []\n    - [0, 1]\n  nodes: [a, b]\n",
		"demand_matrix:\r\n  nodes: [a, b]\r\n  rows:\r\n    - [0, 1.5.1]\r\n    - [1_0, 0]\r\n",
	} {
		f.Add([]byte(matrixBase + s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bothPaths(t, data)
	})
}

func TestParseDecimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []string{"0", "1", "52.8", "0.1", ".5", "5.", "123456789012345", "1234567890123456", "0.000000000000001", "9.99999999999999", "1.2.3", "", ".", "1e3", "-1", "+1", "1_0"}
	for range 20000 {
		n := 1 + rng.IntN(16)
		b := make([]byte, n)
		for i := range b {
			b[i] = "0123456789"[rng.IntN(10)]
		}
		if d := rng.IntN(n + 1); d < n {
			b[d] = '.'
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		got, ok := parseDecimal([]byte(s))
		if !ok {
			continue
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || got != want {
			t.Errorf("parseDecimal(%q) = %v, strconv: %v, %v", s, got, want, err)
		}
	}
}
