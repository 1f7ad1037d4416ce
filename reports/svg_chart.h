// A small inline-SVG line chart for reports: one or more series of (t, y) points over a time
// axis in seconds (or any other x quantity, see x_label), with shaded bands (phases) and
// labelled vertical markers (faults, events).
//
// Design: pure function from a description to an <svg> element (no scripts, no external fonts,
// every label escaped), so the same chart can be embedded in any self-contained page and
// tested as text. Axes use "nice" ticks (1, 2, 2.5, 5 x 10^k). A null y leaves a gap in its
// line; a series with a single point is drawn as a dot; an empty chart says "no data".
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cutover::reports {

struct ChartPoint {
  double t = 0;             // seconds from the start of the run
  std::optional<double> y;  // nullopt: no sample (a gap)
};

struct ChartSeries {
  std::string name;
  std::string color;  // CSS colour; "" = the next colour of the palette
  std::vector<ChartPoint> points;
};

struct ChartBand {  // [t0, t1), shaded, label at the top
  double t0 = 0;
  double t1 = 0;
  std::string label;
};

struct ChartMarker {  // vertical line at t, label at the top
  double t = 0;
  std::string label;
};

struct LineChart {
  std::string title;
  std::string y_label;  // unit or quantity, e.g. "lag (s)"
  std::string x_label = "time (s)";
  std::vector<ChartSeries> series;
  std::vector<ChartBand> bands;
  std::vector<ChartMarker> markers;
  int width = 960;
  int height = 280;
  bool y_from_zero = true;  // include 0 in the y range
};

// The chart as one <svg> element (with role="img" and a <title> for accessibility).
std::string RenderLineChart(const LineChart& chart);

// Up to about `target` evenly spaced round values covering [lo, hi] (first <= lo, last >= hi).
std::vector<double> NiceTicks(double lo, double hi, int target = 5);

// A tick label: no trailing zeros, thousands as "12k", millions as "1.5M".
std::string FormatTick(double v);

}  // namespace cutover::reports
