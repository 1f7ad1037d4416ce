#!/usr/bin/env python3
"""Cost-curve table and chart for bench/macro/cost_curves.sh.

    plot_curves.py POINTS.csv OUT.md OUT.svg [TITLE]

Reads the sweep's points (one line per series, x, tool and run), takes the median of the runs per
(series, x, tool), and writes a markdown table and a self-contained SVG: one row of panels per
series (full-load rows, row width, tables, CDC drain), one column per metric (rows/s, engine
CPU seconds per million rows, engine peak RSS), x on a log scale, one line per tool. Standard
library only (python3 from Debian), no network.
"""

import csv
import math
import statistics
import sys
from collections import defaultdict
from xml.sax.saxutils import escape

SERIES = [
    ("rows", "full load: rows (one table, ~100 B rows)"),
    ("width", "full load: row width, bytes"),
    ("tables", "full load: number of tables (same total rows)"),
    ("drain", "CDC drain: backlog transactions (rows = 4 per txn)"),
]
METRICS = [
    ("rows_per_s", "rows/s"),
    ("cpu_s_per_mrow", "engine CPU s per million rows"),
    ("peak_rss_mb", "engine peak RSS, MB"),
]
COLORS = {"cutover": "#1f77b4"}
PEER_COLORS = ["#ff7f0e", "#2ca02c", "#d62728"]


def fail(msg):
    print(f"plot_curves.py: {msg}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    need = {"series", "x", "x_label", "tool", "rows", "seconds", "rows_per_s", "cpu_s",
            "cpu_s_per_mrow", "peak_rss_mb"}
    if not rows:
        fail(f"{path}: no points")
    missing = need - set(rows[0].keys())
    if missing:
        fail(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    groups = defaultdict(list)
    for r in rows:
        groups[(r["series"], float(r["x"]), r["tool"])].append(r)
    out = {}
    for key, rs in groups.items():
        agg = {"x_label": rs[0]["x_label"], "rows": int(rs[0]["rows"]), "runs": len(rs)}
        for col in ("seconds", "rows_per_s", "cpu_s", "cpu_s_per_mrow", "peak_rss_mb"):
            vals = [float(r[col]) for r in rs if r[col] not in ("", "nan")]
            agg[col] = statistics.median(vals) if vals else float("nan")
        out[key] = agg
    return out


def fmt(v, digits=0):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    return f"{v:,.{digits}f}"


def write_md(points, path, title):
    tools = sorted({t for (_, _, t) in points}, key=lambda t: (t != "cutover", t))
    lines = [f"{title}", "",
             "| series | point | tool | rows | seconds | rows/s | CPU s | CPU s / M rows | peak RSS MB |"
             " cutover speed vs peer |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for series, _ in SERIES:
        xs = sorted({x for (s, x, _) in points if s == series})
        for x in xs:
            peer_secs = [points[(series, x, t)]["seconds"] for t in tools
                         if t != "cutover" and (series, x, t) in points]
            for t in tools:
                p = points.get((series, x, t))
                if not p:
                    continue
                speed = "-"
                if t == "cutover" and peer_secs and p["seconds"] > 0:
                    speed = f"{peer_secs[0] / p['seconds']:.2f}x"
                lines.append(
                    f"| {series} | {p['x_label']} | {t} | {p['rows']:,} | {p['seconds']:.2f} | "
                    f"{fmt(p['rows_per_s'])} | {fmt(p['cpu_s'], 2)} | {fmt(p['cpu_s_per_mrow'], 2)} | "
                    f"{fmt(p['peak_rss_mb'], 1)} | {speed} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def nice_max(v):
    if not v or v <= 0 or math.isnan(v):
        return 1.0
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * e:
            return m * e
    return 10 * e


def short(v):
    for div, suf in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= div:
            s = f"{v / div:.1f}".rstrip("0").rstrip(".")
            return s + suf
    return f"{v:.1f}".rstrip("0").rstrip(".") if v % 1 else f"{int(v)}"


def write_svg(points, path, title):
    tools = sorted({t for (_, _, t) in points}, key=lambda t: (t != "cutover", t))
    color = dict(COLORS)
    for i, t in enumerate([t for t in tools if t != "cutover"]):
        color[t] = PEER_COLORS[i % len(PEER_COLORS)]
    series = [(s, d) for s, d in SERIES if any(k[0] == s for k in points)]
    pw, ph, ml, mr, mt, mb = 300, 180, 62, 14, 46, 30
    cell_w, cell_h = pw + ml + mr, ph + mt + mb
    width, height = cell_w * len(METRICS) + 20, cell_h * len(series) + 70
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'font-family="sans-serif" font-size="11">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="10" y="20" font-size="14" font-weight="bold">{escape(title)}</text>']
    lx = 10
    for t in tools:
        o.append(f'<line x1="{lx}" y1="38" x2="{lx + 24}" y2="38" stroke="{color[t]}" stroke-width="2.5"/>'
                 f'<text x="{lx + 30}" y="42">{escape(t)}</text>')
        lx += 40 + 7 * len(t)
    for row, (s, desc) in enumerate(series):
        xs = sorted({x for (ss, x, _) in points if ss == s})
        if not xs:
            continue
        lo, hi = math.log10(min(xs)), math.log10(max(xs))
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        for col, (m, mdesc) in enumerate(METRICS):
            ox, oy = 10 + col * cell_w + ml, 55 + row * cell_h + mt
            vals = [points[k][m] for k in points if k[0] == s and not math.isnan(points[k][m])]
            ymax = nice_max(max(vals) * 1.05 if vals else 1)

            def px(x):
                return ox + (math.log10(x) - lo) / (hi - lo) * pw

            def py(v):
                return oy + ph - v / ymax * ph

            if col == 0:
                o.append(f'<text x="{ox - ml + 4}" y="{oy - 26}" font-size="13" font-weight="bold">'
                         f'{escape(desc)}</text>')
            o.append(f'<text x="{ox}" y="{oy - 8}">{escape(mdesc)}</text>')
            o.append(f'<rect x="{ox}" y="{oy}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
            for i in range(5):
                v = ymax * i / 4
                y = py(v)
                o.append(f'<line x1="{ox}" y1="{y:.1f}" x2="{ox + pw}" y2="{y:.1f}" stroke="#eee"/>'
                         f'<text x="{ox - 4}" y="{y + 4:.1f}" text-anchor="end">{short(v)}</text>')
            for x in xs:
                o.append(f'<line x1="{px(x):.1f}" y1="{oy + ph}" x2="{px(x):.1f}" y2="{oy + ph + 4}" stroke="#999"/>'
                         f'<text x="{px(x):.1f}" y="{oy + ph + 16}" text-anchor="middle">{short(x)}</text>')
            for t in tools:
                pts = [(x, points[(s, x, t)][m]) for x in xs
                       if (s, x, t) in points and not math.isnan(points[(s, x, t)][m])]
                if not pts:
                    continue
                path_d = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(v):.1f}"
                                  for i, (x, v) in enumerate(pts))
                o.append(f'<path d="{path_d}" fill="none" stroke="{color[t]}" stroke-width="2"/>')
                for x, v in pts:
                    o.append(f'<circle cx="{px(x):.1f}" cy="{py(v):.1f}" r="3" fill="{color[t]}">'
                             f'<title>{escape(t)} {short(x)}: {v:,.2f}</title></circle>')
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


def main():
    if len(sys.argv) not in (4, 5):
        fail("usage: plot_curves.py POINTS.csv OUT.md OUT.svg [TITLE]")
    title = sys.argv[4] if len(sys.argv) == 5 else "cost curves"
    points = load(sys.argv[1])
    write_md(points, sys.argv[2], title)
    write_svg(points, sys.argv[3], title)


if __name__ == "__main__":
    main()
