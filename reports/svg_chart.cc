#include "reports/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "reports/html.h"

namespace cutover::reports {
namespace {

constexpr const char* kPalette[] = {"#2563eb", "#dc2626", "#16a34a",
                                    "#9333ea", "#ea580c", "#0891b2"};
constexpr double kLeft = 64, kRight = 18, kTop = 44, kBottom = 34;
constexpr double kCharWidth = 6.2;  // approximate width of a character at font-size 11

std::string Num(double v) {
  return fmt::format("{:.1f}", v);
}

bool Finite(const ChartPoint& p) {
  return p.y && std::isfinite(*p.y) && std::isfinite(p.t);
}

// Shortens `label` to what fits in `width` pixels ("" if not even one character and "…" fit).
std::string Fit(const std::string& label, double width) {
  size_t max_chars = width > 0 ? static_cast<size_t>(width / kCharWidth) : 0;
  if (label.size() <= max_chars) return label;
  if (max_chars < 2) return "";
  // Cut on a UTF-8 character boundary.
  size_t cut = max_chars - 1;
  while (cut > 0 && (static_cast<unsigned char>(label[cut]) & 0xC0) == 0x80) --cut;
  return label.substr(0, cut) + "\u2026";
}

}  // namespace

std::vector<double> NiceTicks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (hi < lo) std::swap(lo, hi);
  if (target < 1) target = 1;
  double span = hi - lo;
  if (span <= 0) span = lo != 0 ? std::abs(lo) : 1;
  double raw = span / target;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  double first = std::floor(lo / step + 1e-9) * step;
  double last = std::ceil(hi / step - 1e-9) * step;
  if (last <= first) last = first + step;
  std::vector<double> ticks;
  for (int i = 0; i <= 100; ++i) {
    double v = first + i * step;
    if (std::abs(v) < step * 1e-9) v = 0;  // no "-0"
    ticks.push_back(v);
    if (v >= last - step * 1e-9) break;
  }
  return ticks;
}

std::string FormatTick(double v) {
  if (!std::isfinite(v)) return "";
  double a = std::abs(v);
  std::string s;
  std::string suffix;
  if (a >= 1e6) {
    v /= 1e6;
    suffix = "M";
  } else if (a >= 1e4) {
    v /= 1e3;
    suffix = "k";
  }
  s = fmt::format("{:.3f}", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  if (s == "-0") s = "0";
  return s + suffix;
}

std::string RenderLineChart(const LineChart& chart) {
  const double w = std::max(chart.width, 200), h = std::max(chart.height, 120);
  const double pw = w - kLeft - kRight, ph = h - kTop - kBottom;

  // Ranges: time from 0 (run start) to the last thing shown; y over every finite sample.
  double t_lo = 0, t_hi = 0;
  double y_lo = std::numeric_limits<double>::infinity(), y_hi = -y_lo;
  size_t samples = 0;
  for (const ChartSeries& s : chart.series) {
    for (const ChartPoint& p : s.points) {
      if (std::isfinite(p.t)) {
        t_lo = std::min(t_lo, p.t);
        t_hi = std::max(t_hi, p.t);
      }
      if (!Finite(p)) continue;
      ++samples;
      y_lo = std::min(y_lo, *p.y);
      y_hi = std::max(y_hi, *p.y);
    }
  }
  for (const ChartBand& b : chart.bands) {
    if (std::isfinite(b.t1)) t_hi = std::max(t_hi, b.t1);
  }
  for (const ChartMarker& m : chart.markers) {
    if (std::isfinite(m.t)) t_hi = std::max(t_hi, m.t);
  }
  if (samples == 0) y_lo = y_hi = 0;
  if (chart.y_from_zero) {
    y_lo = std::min(y_lo, 0.0);
    y_hi = std::max(y_hi, 0.0);
  }
  if (y_hi <= y_lo) y_hi = y_lo + (y_lo != 0 ? std::abs(y_lo) : 1);
  std::vector<double> yt = NiceTicks(y_lo, y_hi, 5);
  y_lo = yt.front();
  y_hi = yt.back();
  // The x axis spans exactly the data (a run is not rounded up to the next tick); its ticks are
  // the nice values inside it.
  if (t_hi <= t_lo) t_hi = t_lo + 1;
  std::vector<double> xt;
  for (double v : NiceTicks(t_lo, t_hi, 10))
    if (v >= t_lo - 1e-9 && v <= t_hi + 1e-9) xt.push_back(v);
  auto X = [&](double t) { return kLeft + (t - t_lo) / (t_hi - t_lo) * pw; };
  auto Y = [&](double y) { return kTop + ph - (y - y_lo) / (y_hi - y_lo) * ph; };

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"11\">"
      "<title>{2}</title>\n",
      w, h, MarkupEscape(chart.title));
  out += fmt::format(
      "<text x=\"{}\" y=\"16\" font-size=\"13\" font-weight=\"bold\" fill=\"#111\">{}</text>\n",
      kLeft, MarkupEscape(chart.title));

  // Legend, right-aligned on the title line.
  double lx = w - kRight;
  for (size_t i = chart.series.size(); i-- > 0;) {
    const ChartSeries& s = chart.series[i];
    std::string color = s.color.empty() ? kPalette[i % std::size(kPalette)] : s.color;
    lx -= s.name.size() * kCharWidth;
    out += fmt::format("<text x=\"{}\" y=\"16\" fill=\"#333\">{}</text>", Num(lx),
                       MarkupEscape(s.name));
    lx -= 18;
    out += fmt::format("<rect x=\"{}\" y=\"9\" width=\"12\" height=\"4\" fill=\"{}\"/>\n", Num(lx),
                       MarkupEscape(color));
    lx -= 14;
  }

  // Bands (phases), alternating shades, label at the top of the band.
  out += "<g class=\"bands\">";
  for (size_t i = 0; i < chart.bands.size(); ++i) {
    const ChartBand& b = chart.bands[i];
    if (!std::isfinite(b.t0) || !std::isfinite(b.t1) || b.t1 <= b.t0) continue;
    double x0 = X(std::max(b.t0, t_lo)), x1 = X(std::min(b.t1, t_hi));
    out += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
        Num(x0), Num(kTop), Num(x1 - x0), Num(ph), i % 2 ? "#eef2f7" : "#f7f9fb",
        MarkupEscape(fmt::format("{} ({}-{} s)", b.label, FormatTick(b.t0), FormatTick(b.t1))));
    std::string label = Fit(b.label, x1 - x0 - 4);
    if (!label.empty())
      out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#567\">{}</text>", Num(x0 + 3),
                         Num(kTop - 4), MarkupEscape(label));
  }
  out += "</g>\n";

  // Grid and axes.
  out += "<g class=\"axes\" stroke=\"#d0d7de\" stroke-width=\"1\">";
  for (double v : yt)
    out += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\"/>", Num(kLeft),
                       Num(kLeft + pw), Num(Y(v)));
  out += "</g><g class=\"ticks\" fill=\"#444\">";
  for (double v : yt)
    out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", Num(kLeft - 6),
                       Num(Y(v) + 4), FormatTick(v));
  // At most ~ one x label per 50 px.
  size_t every = std::max<size_t>(1, static_cast<size_t>(std::ceil(xt.size() * 50.0 / pw)));
  for (size_t i = 0; i < xt.size(); i += every)
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#8c959f\"/>"
        "<text x=\"{0}\" y=\"{4}\" text-anchor=\"middle\">{3}</text>",
        Num(X(xt[i])), Num(kTop + ph), Num(kTop + ph + 4), FormatTick(xt[i]), Num(kTop + ph + 16));
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#666\">{}</text>",
                     Num(kLeft + pw), Num(h - 4), MarkupEscape(chart.x_label));
  out += fmt::format(
      "<text x=\"14\" y=\"{0}\" transform=\"rotate(-90 14 {0})\" text-anchor=\"middle\" "
      "fill=\"#666\">{1}</text>",
      Num(kTop + ph / 2), MarkupEscape(chart.y_label));
  out += "</g>\n";
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#8c959f\"/>\n",
      Num(kLeft), Num(kTop), Num(pw), Num(ph));

  // Markers (events): a dashed line and a label running down along it.
  out += "<g class=\"markers\">";
  for (const ChartMarker& m : chart.markers) {
    if (!std::isfinite(m.t)) continue;
    double x = X(m.t);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#b45309\" "
        "stroke-dasharray=\"4 3\"><title>{3}</title></line>",
        Num(x), Num(kTop), Num(kTop + ph),
        MarkupEscape(fmt::format("{} s: {}", FormatTick(m.t), m.label)));
    std::string label = Fit(m.label, ph - 6);
    if (!label.empty())
      out += fmt::format(
          "<text x=\"{0}\" y=\"{1}\" transform=\"rotate(90 {0} {1})\" fill=\"#b45309\" "
          "font-size=\"10\">{2}</text>",
          Num(x + 3), Num(kTop + 4), MarkupEscape(label));
  }
  out += "</g>\n";

  // Series: one path per run of consecutive samples; a lone sample is a dot.
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const ChartSeries& s = chart.series[i];
    std::string color = MarkupEscape(s.color.empty() ? kPalette[i % std::size(kPalette)] : s.color);
    out += fmt::format("<g class=\"series\" data-name=\"{}\">", MarkupEscape(s.name));
    std::vector<std::pair<double, double>> run;
    auto flush = [&] {
      if (run.size() == 1) {
        out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>", Num(run[0].first),
                           Num(run[0].second), color);
      } else if (run.size() > 1) {
        std::string d;
        for (size_t k = 0; k < run.size(); ++k)
          d += fmt::format("{}{} {}", k ? " L" : "M", Num(run[k].first), Num(run[k].second));
        out += fmt::format(
            "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" "
            "stroke-linejoin=\"round\"/>",
            d, color);
      }
      run.clear();
    };
    for (const ChartPoint& p : s.points) {
      if (Finite(p))
        run.emplace_back(X(p.t), Y(*p.y));
      else
        flush();
    }
    flush();
    out += "</g>\n";
  }
  if (samples == 0)
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#888\" font-size=\"13\">no "
        "data</text>\n",
        Num(kLeft + pw / 2), Num(kTop + ph / 2));
  out += "</svg>";
  return out;
}

}  // namespace cutover::reports
