#!/usr/bin/env python3
"""A straightforward reference for `make bench-load` (docs/performance.md).

It does what `changegate dryrun --topology FILE --n1=false` does for a
topology written by `changegate topology import` (nodes, links with a, b,
capacity and metric, a demand_matrix), the obvious way, with the Python
standard library only: read the file line by line, then for every
destination a Dijkstra from it over the reversed links and an even split
of each node's traffic over its equal-cost next hops (every link
direction one hop). It prints the busiest link direction, which must be
the worst link changegate reports.

It reads only the layout the importer writes (one key per line, a matrix
row per line); it is a yardstick, not a parser.
"""

import heapq
import sys

UNITS = {"": 1.0, "bps": 1.0, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12}


def rate(s, unit=""):
    s = s.strip().lower()
    for u in ("t", "g", "m", "k"):
        if s.endswith(u):
            return float(s[: -len(u)]) * UNITS[u]
    return float(s) * UNITS[unit.lower()]


def flow_list(s):
    s = s.strip()
    assert s[0] == "[" and s[-1] == "]", s
    return [x.strip().strip('"') for x in s[1:-1].split(",") if x.strip()]


def read(path):
    nodes, links, matrix_nodes, rows, unit = [], [], [], [], ""
    section, link = None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if not line.startswith(" "):
                section = line.split(":", 1)[0]
                continue
            key, _, val = line.strip().lstrip("- ").partition(":")
            val = val.strip()
            if section == "nodes" and line.strip().startswith("- name:"):
                nodes.append(val.strip('"'))
            elif section == "links":
                if line.strip().startswith("- "):
                    link = {"metric": "1"}
                    links.append(link)
                link[key] = val
            elif section == "demand_matrix":
                if key == "unit":
                    unit = val
                elif key == "nodes":
                    matrix_nodes = flow_list(val)
                elif line.strip().startswith("- ["):
                    rows.append([float(x) * UNITS[unit.lower()] for x in flow_list(line.strip()[2:])])
    return nodes, links, matrix_nodes, rows


def main(path):
    nodes, links, matrix_nodes, rows = read(path)
    index = {name: i for i, name in enumerate(nodes)}
    n = len(nodes)
    # Arcs: (from, to, metric, capacity, name); the reversed graph for Dijkstra.
    arcs = []
    for l in links:
        a, b = index[l["a"].split(":")[0]], index[l["b"].split(":")[0]]
        cap = rate(l["capacity"])
        m = l["metric"]
        if m.startswith("{"):
            parts = dict(p.split(":") for p in m.strip("{}").split(","))
            mab, mba = int(parts["ab"]), int(parts["ba"])
        else:
            mab = mba = int(m)
        arcs.append((a, b, mab, cap, l["id"] + " " + nodes[a] + "->" + nodes[b]))
        arcs.append((b, a, mba, cap, l["id"] + " " + nodes[b] + "->" + nodes[a]))
    out_arcs = [[] for _ in range(n)]
    in_arcs = [[] for _ in range(n)]
    for k, (a, b, m, _, _) in enumerate(arcs):
        out_arcs[a].append(k)
        in_arcs[b].append(k)
    demand = [[0.0] * n for _ in range(n)]  # demand[src][dst]
    for i, row in enumerate(rows):
        for j, r in enumerate(row):
            demand[index[matrix_nodes[i]]][index[matrix_nodes[j]]] += r
    load = [0.0] * len(arcs)
    inf = float("inf")
    for t in range(n):
        dist = [inf] * n
        dist[t] = 0
        heap = [(0, t)]
        while heap:
            d, v = heapq.heappop(heap)
            if d > dist[v]:
                continue
            for k in in_arcs[v]:
                u = arcs[k][0]
                nd = d + arcs[k][2]
                if nd < dist[u]:
                    dist[u] = nd
                    heapq.heappush(heap, (nd, u))
        flow = [demand[v][t] if v != t else 0.0 for v in range(n)]
        for v in sorted(range(n), key=lambda v: -dist[v]):
            if v == t or dist[v] == inf or flow[v] == 0:
                continue
            hops = [k for k in out_arcs[v] if arcs[k][2] + dist[arcs[k][1]] == dist[v]]
            share = flow[v] / len(hops)
            for k in hops:
                load[k] += share
                flow[arcs[k][1]] += share
    worst = max(range(len(arcs)), key=lambda k: load[k] / arcs[k][3])
    print("%d nodes, %d links; worst link %s at %.1f%%" % (n, len(links), arcs[worst][4], 100 * load[worst] / arcs[worst][3]))


if __name__ == "__main__":
    main(sys.argv[1])
