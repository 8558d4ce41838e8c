// The html writer: one self-contained page (inline CSS and SVG, no script, no external
// resource), readable on screen and on paper (a print stylesheet).
#include <cmath>
#include <cstdio>
#include <sstream>

#include "vigil/report/report_json.h"
#include "vigil/report/report_writer.h"
#include "vigil/time_format.h"

namespace vigil::report {
namespace {

// Finding details shown in full; the rest are in the findings table (and in JSON and CSV).
constexpr size_t kDetailedFindings = 200;
constexpr const char* kSeverityColours[5] = {"#7a869a", "#2f80ed", "#f2c94c", "#f2994a", "#eb5757"};

std::string Esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Num(double v, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string Duration(const std::optional<double>& s) {
  if (!s) return "&ndash;";
  if (*s < 120) return Num(*s, 0) + " s";
  if (*s < 7200) return Num(*s / 60, 1) + " min";
  if (*s < 172800) return Num(*s / 3600, 1) + " h";
  return Num(*s / 86400, 1) + " d";
}

std::string Sev(AlertSeverity s) { return std::string(AlertSeverityName(s)); }

std::string ResultBadge(ControlResult r) {
  const std::string name(ControlResultName(r));
  std::string label = name;
  for (char& c : label) c = c == '_' ? ' ' : c;
  return "<span class=\"badge r-" + name + "\">" + label + "</span>";
}

std::string Delta(uint64_t now, uint64_t before) {
  if (now == before) return "<span class=\"muted\">=</span>";
  const long long d = static_cast<long long>(now) - static_cast<long long>(before);
  return std::string("<span class=\"") + (d > 0 ? "up" : "down") + "\">" + (d > 0 ? "+" : "") + std::to_string(d) +
         "</span>";
}

constexpr const char* kStyle = R"css(
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9e2ec;--bg:#f5f7fa;--pass:#27ae60;--fail:#eb5757;--na:#9aa5b1;--nc:#f2994a}
*{box-sizing:border-box}
body{font:14px/1.45 "DejaVu Sans",Helvetica,Arial,sans-serif;color:var(--ink);margin:0;background:#fff}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;border-bottom:2px solid var(--ink);padding-bottom:4px;margin-top:32px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-all}
.muted{color:var(--muted)}.up{color:var(--fail)}.down{color:var(--pass)}
.badge{display:inline-block;padding:1px 7px;border-radius:9px;font-size:12px;color:#fff;white-space:nowrap}
.r-pass{background:var(--pass)}.r-fail{background:var(--fail)}.r-not_applicable{background:var(--na)}.r-not_checked{background:var(--nc)}
.cover{border:2px solid var(--ink);padding:16px 20px;margin-bottom:12px}
.cover dl{display:grid;grid-template-columns:220px 1fr;gap:2px 12px;margin:8px 0 0}
.cover dt{color:var(--muted)}.cover dd{margin:0}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 14px;min-width:150px}
.card .big{font-size:24px;font-weight:700}
.warn{border-left:4px solid var(--nc);background:#fff8ef;padding:8px 12px}
.bad{border-left:4px solid var(--fail);background:#fdf0f0;padding:8px 12px}
.good{border-left:4px solid var(--pass);background:#eefaf3;padding:8px 12px}
details.finding{border:1px solid var(--line);border-radius:6px;padding:6px 10px;margin:6px 0}
details.finding pre{white-space:pre-wrap;word-break:break-all;background:var(--bg);padding:6px;font-size:11px}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
@media print{
 @page{size:A4;margin:14mm}
 body{font-size:10.5pt}main{max-width:none;padding:0}
 h2{break-after:avoid}table,.card,details.finding{break-inside:avoid}
 .cover{break-after:page}
 details.finding>summary{list-style:none}
 details.finding pre{font-size:8pt}
 a{color:inherit;text-decoration:none}
}
)css";

void CoverHtml(const Report& r, std::ostringstream& o) {
  const Cover& c = r.cover;
  o << "<section class=\"cover\" id=\"cover\"><h1>Vigil audit report</h1>"
    << "<div class=\"muted\">" << Esc(c.framework.empty() ? "All frameworks" : c.framework) << " &middot; "
    << Esc(FormatRfc3339(c.period.from)) << " to " << Esc(FormatRfc3339(c.period.to)) << "</div><dl>";
  auto row = [&o](const std::string& k, const std::string& v) { o << "<dt>" << k << "</dt><dd>" << v << "</dd>"; };
  row("Report id", "<code id=\"report-id\">" + Esc(c.report_id) + "</code>");
  row("Period", Esc(FormatRfc3339(c.period.from)) + " &ndash; " + Esc(FormatRfc3339(c.period.to)) + " (end excluded)");
  std::string fws;
  for (const std::string& f : c.frameworks) fws += (fws.empty() ? "" : ", ") + Esc(f);
  row("Frameworks", fws.empty() ? "<span class=\"muted\">none</span>" : fws);
  std::string hosts;
  for (const std::string& h : c.hosts) hosts += (hosts.empty() ? "" : ", ") + Esc(h);
  row("Hosts", hosts.empty() ? "<span class=\"muted\">none seen</span>" : hosts);
  row("Generator", Esc(c.generator));
  for (const RulesetInForce& rs : c.rulesets) {
    row("Rules in force from " + Esc(FormatRfc3339(rs.at)),
        std::to_string(rs.rules) + " rules; rules sha256 <code>" + Esc(rs.rules_sha256) + "</code>; policies <code>" +
            Esc(rs.policies_sha256) + "</code>; config <code>" + Esc(rs.config_sha256) + "</code> (audit record " +
            std::to_string(rs.audit_seq) + ")");
  }
  if (c.rulesets.empty()) row("Rules in force", "<span class=\"muted\">no ruleset recorded for the period</span>");
  row("Signing key", c.key_id.empty() ? "<span class=\"muted\">none</span>" : "<code>" + Esc(c.key_id) + "</code>");
  o << "</dl></section>\n";
}

void SummaryHtml(const Report& r, std::ostringstream& o) {
  o << "<section id=\"summary\"><h2>Executive summary</h2>";
  const Integrity& in = r.integrity;
  const double pct = r.coverage.period_seconds > 0 ? 100 * r.coverage.covered_seconds / r.coverage.period_seconds : 0;
  o << "<div class=\"cards\">";
  uint64_t total = 0, prev_total = 0;
  for (int s = 0; s < 5; ++s) {
    total += r.summary.alerts_by_severity[s];
    prev_total += r.summary.previous_alerts_by_severity[s];
  }
  o << "<div class=\"card\"><div class=\"muted\">Alerts</div><div class=\"big\" id=\"kpi-alerts\">" << total
    << "</div>" << Delta(total, prev_total) << " <span class=\"muted\">vs previous period</span></div>";
  o << "<div class=\"card\"><div class=\"muted\">Open items</div><div class=\"big\" id=\"kpi-open\">"
    << r.handling.open_items << "</div></div>";
  o << "<div class=\"card\"><div class=\"muted\">Watched</div><div class=\"big\" id=\"kpi-coverage\">" << Num(pct, 1)
    << "%</div><span class=\"muted\">of the period</span></div>";
  o << "<div class=\"card\"><div class=\"muted\">Audit log</div><div class=\"big\" id=\"kpi-integrity\">"
    << (!in.checked ? "not checked" : in.ok ? "verified" : "FAILED") << "</div></div>";
  o << "</div>";
  o << "<h3>Status per framework</h3><table><tr><th>Framework</th><th>Status</th><th class=\"n\">Pass</th>"
       "<th class=\"n\">Fail</th><th class=\"n\">Not applicable</th><th class=\"n\">Not checked</th>"
       "<th>Change (fail) vs previous period</th></tr>";
  for (const FrameworkSummary& f : r.summary.frameworks) {
    o << "<tr><td>" << Esc(f.name) << "</td><td>" << ResultBadge(f.status) << "</td><td class=\"n\">" << f.controls.pass
      << "</td><td class=\"n\">" << f.controls.fail << "</td><td class=\"n\">" << f.controls.not_applicable
      << "</td><td class=\"n\">" << f.controls.not_checked << "</td><td>" << Delta(f.controls.fail, f.previous.fail)
      << " <span class=\"muted\">(was " << f.previous.pass << " pass, " << f.previous.fail << " fail, "
      << f.previous.not_checked << " not checked)</span></td></tr>";
  }
  o << "</table>";
  // Stacked bar per framework.
  if (!r.summary.frameworks.empty()) {
    const int w = 640, bar = 18, gap = 8, label = 140;
    const int h = static_cast<int>(r.summary.frameworks.size()) * (bar + gap) + 4;
    o << "<svg role=\"img\" aria-label=\"Control results per framework\" width=\"" << w << "\" height=\"" << h
      << "\" viewBox=\"0 0 " << w << " " << h << "\">";
    int y = 2;
    for (const FrameworkSummary& f : r.summary.frameworks) {
      const double n = static_cast<double>(f.controls.pass + f.controls.fail + f.controls.not_applicable +
                                           f.controls.not_checked);
      o << "<text x=\"0\" y=\"" << y + 13 << "\" font-size=\"12\">" << Esc(f.name) << "</text>";
      double x = label;
      const std::pair<uint64_t, const char*> parts[] = {{f.controls.pass, "#27ae60"},
                                                         {f.controls.fail, "#eb5757"},
                                                         {f.controls.not_checked, "#f2994a"},
                                                         {f.controls.not_applicable, "#9aa5b1"}};
      for (const auto& [count, colour] : parts) {
        if (count == 0 || n == 0) continue;
        const double width = (w - label - 4) * static_cast<double>(count) / n;
        o << "<rect x=\"" << Num(x, 2) << "\" y=\"" << y << "\" width=\"" << Num(width, 2) << "\" height=\"" << bar
          << "\" fill=\"" << colour << "\"/>";
        x += width;
      }
      y += bar + gap;
    }
    o << "</svg><div class=\"legend muted\"><span><i style=\"background:#27ae60\"></i>pass</span>"
         "<span><i style=\"background:#eb5757\"></i>fail</span><span><i style=\"background:#f2994a\"></i>not "
         "checked</span><span><i style=\"background:#9aa5b1\"></i>not applicable</span></div>";
  }
  o << "<h3>Alerts by severity</h3><table><tr><th>Severity</th><th class=\"n\">This period</th>"
       "<th class=\"n\">Previous period</th><th>Change</th></tr>";
  for (int s = 4; s >= 0; --s) {
    o << "<tr><td>" << Sev(static_cast<AlertSeverity>(s)) << "</td><td class=\"n\">" << r.summary.alerts_by_severity[s]
      << "</td><td class=\"n\">" << r.summary.previous_alerts_by_severity[s] << "</td><td>"
      << Delta(r.summary.alerts_by_severity[s], r.summary.previous_alerts_by_severity[s]) << "</td></tr>";
  }
  o << "</table></section>\n";
}

void CoverageHtml(const Report& r, std::ostringstream& o) {
  const Coverage& c = r.coverage;
  o << "<section id=\"coverage\"><h2>Coverage and gaps</h2>";
  o << "<p>Vigil watched <b>" << Num(c.covered_seconds / 3600, 2) << " h</b> of the " << Num(c.period_seconds / 3600, 2)
    << " h period in " << c.runs << " run" << (c.runs == 1 ? "" : "s") << " (" << c.crashed_runs
    << " ended without a clean stop).</p>";
  if (c.down.empty()) {
    o << "<p class=\"good\">No stretch of the period was unwatched.</p>";
  } else {
    o << "<div class=\"warn\"><b>Periods Vigil was not watching</b> &mdash; nothing that happened then is in this "
         "report.<table><tr><th>From</th><th>To</th><th class=\"n\">Hours</th><th>Why</th></tr>";
    for (const DownPeriod& d : c.down) {
      o << "<tr><td>" << Esc(FormatRfc3339(d.from)) << "</td><td>" << Esc(FormatRfc3339(d.to)) << "</td><td class=\"n\">"
        << Num(static_cast<double>((d.to - d.from).count()) / 3.6e12, 2) << "</td><td>" << Esc(d.reason) << "</td></tr>";
    }
    o << "</table></div>";
  }
  o << "<h3>Collectors</h3><table><tr><th>Collector</th><th>Type</th><th class=\"n\">Up</th><th class=\"n\">Events</th>"
       "<th class=\"n\">Dropped</th><th class=\"n\">Skipped</th><th class=\"n\">Errors</th><th class=\"n\">Gaps</th></tr>";
  for (const CollectorCoverage& x : c.collectors) {
    o << "<tr><td>" << Esc(x.name) << "</td><td>" << Esc(x.type) << "</td><td class=\"n\">" << x.samples_up << "/"
      << x.samples << "</td><td class=\"n\">" << x.events << "</td><td class=\"n\">" << x.dropped
      << "</td><td class=\"n\">" << x.skipped << "</td><td class=\"n\">" << x.errors << "</td><td class=\"n\">" << x.gaps
      << "</td></tr>";
  }
  if (c.collectors.empty()) o << "<tr><td colspan=\"8\" class=\"muted\">no coverage recorded</td></tr>";
  o << "</table><p class=\"muted\">Up: coverage records in the period that saw the collector running. Dropped: events "
       "lost to a full queue; skipped: input that could not be read as events; gaps: input the collector knows it "
       "missed (kernel packet drops, unreadable paths).</p></section>\n";
}

void ControlsHtml(const Report& r, std::ostringstream& o) {
  o << "<section id=\"controls\"><h2>Control results</h2>";
  std::string current;
  for (const ControlEvaluation& e : r.controls) {
    if (e.framework != current) {
      if (!current.empty()) o << "</table>";
      current = e.framework;
      o << "<h3>" << Esc(current) << "</h3><table><tr><th>Control</th><th>Result</th><th class=\"n\">Evidence</th>"
           "<th>Why</th><th>Rules</th></tr>";
    }
    o << "<tr><td><code>" << Esc(e.control) << "</code></td><td>" << ResultBadge(e.result) << "</td><td class=\"n\">";
    if (e.alert_ids.empty()) {
      o << "0";
    } else {
      o << e.evidence;
      size_t shown = 0;
      o << "<br><span class=\"muted\">";
      for (int64_t id : e.alert_ids) {
        if (shown++ == 8) {
          o << "&hellip;";
          break;
        }
        o << "<a href=\"#alert-" << id << "\">#" << id << "</a> ";
      }
      o << "</span>";
    }
    o << "</td><td>" << Esc(e.reason) << "</td><td class=\"mono\">";
    for (const std::string& rule : e.rules) o << Esc(rule) << "<br>";
    o << "</td></tr>";
  }
  if (!current.empty()) o << "</table>";
  if (r.controls.empty()) o << "<p class=\"muted\">No control is mapped by the rules in force.</p>";
  o << "</section>\n";
}

void HandlingHtml(const Report& r, std::ostringstream& o) {
  o << "<section id=\"handling\"><h2>Alerts and their handling</h2><p>" << r.handling.open_items
    << " alert(s) raised in the period were not resolved at its end. Status and handling times are as of the "
       "period end (" << Esc(FormatRfc3339(r.cover.period.to))
    << "): acknowledgements and resolutions recorded after it are not counted.</p><table><tr>"
       "<th>Severity</th><th class=\"n\">Raised</th><th class=\"n\">Open</th><th class=\"n\">Acknowledged</th>"
       "<th class=\"n\">Resolved</th><th class=\"n\">Median to acknowledge</th><th class=\"n\">Longest</th>"
       "<th class=\"n\">Median to resolve</th><th class=\"n\">Longest</th></tr>";
  for (auto it = r.handling.by_severity.rbegin(); it != r.handling.by_severity.rend(); ++it) {
    o << "<tr><td>" << Sev(it->severity) << "</td><td class=\"n\">" << it->raised << "</td><td class=\"n\">" << it->open
      << "</td><td class=\"n\">" << it->acknowledged << "</td><td class=\"n\">" << it->resolved << "</td><td class=\"n\">"
      << Duration(it->median_ack_seconds) << "</td><td class=\"n\">" << Duration(it->max_ack_seconds)
      << "</td><td class=\"n\">" << Duration(it->median_resolve_seconds) << "</td><td class=\"n\">"
      << Duration(it->max_resolve_seconds) << "</td></tr>";
  }
  o << "</table></section>\n";
}

void RetentionHtml(const Report& r, std::ostringstream& o) {
  o << "<section id=\"retention\"><h2>Retention posture</h2>";
  if (!r.retention.baseline && r.retention.classes.empty()) {
    o << "<p class=\"muted\">No retention baseline in this store: no retention collector has scanned for it.</p>";
  } else {
    auto count = [](const std::optional<uint64_t>& n) {
      return n ? std::to_string(*n) : std::string("<span class=\"muted\">unknown</span>");
    };
    o << "<table><tr><th>Class</th><th class=\"n\">Items</th><th>Oldest</th><th class=\"n\">Overdue (flagged)</th>"
         "<th class=\"n\">Expiring soon (flagged)</th><th class=\"n\">Expiring in 30 days</th>"
         "<th class=\"n\">Expiring in 90 days</th><th class=\"n\">Overdue at end</th><th class=\"n\">Held at end</th>"
         "<th class=\"n\">Early deletions</th><th class=\"n\">Early changes</th><th class=\"n\">Hold violations</th></tr>";
    for (const RetentionClassPosture& p : r.retention.classes) {
      o << "<tr><td>" << (p.class_id.empty() ? "<span class=\"muted\">unclassified</span>" : Esc(p.class_id))
        << "</td><td class=\"n\">" << p.items << "</td><td>" << (p.oldest ? Esc(FormatRfc3339(*p.oldest)) : "&ndash;")
        << "</td><td class=\"n\">" << p.overdue << "</td><td class=\"n\">" << p.expiring_soon << "</td><td class=\"n\">"
        << count(p.expiring_30d) << "</td><td class=\"n\">" << count(p.expiring_90d) << "</td><td class=\"n\">"
        << count(p.overdue_at_end) << "</td><td class=\"n\">" << count(p.held_at_end) << "</td><td class=\"n\">"
        << p.early_deletions << "</td><td class=\"n\">" << p.early_modifications << "</td><td class=\"n\">"
        << p.hold_violations << "</td></tr>";
    }
    o << "</table><p class=\"muted\">Items, oldest, and the overdue and expiring-soon findings the scanner flagged: "
         "the retention baseline now. ";
    if (r.retention.horizon_as_of) {
      o << "Expiring in 30 and 90 days, overdue and held: as of the period end ("
        << Esc(FormatRfc3339(*r.retention.horizon_as_of))
        << "), from each item's latest due time under the retention policies in force when the report was written "
           "(overdue: past it and under no active legal hold). ";
    } else {
      o << "Expiring in 30 and 90 days, overdue and held at the period end: unknown, "
        << (r.retention.baseline ? "no retention policy was available to compute them. "
                                 : "there is no retention baseline in this store. ");
    }
    o << "Early deletions, changes and hold violations: alerts raised in the period.</p>";
  }
  o << "</section>\n";
}

void IntegrityHtml(const Report& r, std::ostringstream& o) {
  const Integrity& i = r.integrity;
  o << "<section id=\"integrity\"><h2>Integrity findings</h2>";
  if (!i.checked) {
    o << "<p class=\"warn\">The audit log was not verified.</p>";
  } else if (i.ok) {
    o << "<p class=\"good\">The audit log verifies: hash chain, Merkle checkpoints"
      << (r.cover.key_id.empty() ? "" : " and their Ed25519 signatures") << ". This report cites records "
      << i.first_seq << " to " << i.last_seq << (i.signed_through ? ", all covered by a signed checkpoint." : ".")
      << "</p>";
  } else {
    o << "<p class=\"bad\"><b>The audit log does not verify:</b> " << Esc(i.problem) << "</p>";
  }
  for (const std::string& n : i.notes) o << "<p class=\"muted\">Note: " << Esc(n) << "</p>";
  o << "</section>\n";
}

void RisksHtml(const Report& r, std::ostringstream& o) {
  o << "<section id=\"risks\"><h2>Accepted risks</h2>";
  if (r.accepted_risks.empty()) {
    o << "<p class=\"muted\">No alert of the period was resolved as an accepted risk.</p>";
  } else {
    o << "<table><tr><th>Alert</th><th>Rule</th><th>Accepted by</th><th>At</th><th>Why</th></tr>";
    for (const AcceptedRisk& a : r.accepted_risks) {
      o << "<tr><td><a href=\"#alert-" << a.alert_id << "\">#" << a.alert_id << "</a></td><td class=\"mono\">"
        << Esc(a.rule_id) << "</td><td>" << Esc(a.by) << "</td><td>" << Esc(FormatRfc3339(a.at)) << "</td><td>"
        << Esc(a.note) << "</td></tr>";
    }
    o << "</table>";
  }
  o << "</section>\n";
}

void TrendsHtml(const Report& r, std::ostringstream& o) {
  o << "<section id=\"trends\"><h2>Trends</h2>";
  if (r.trends.empty()) {
    o << "</section>";
    return;
  }
  uint64_t max = 1;
  for (const TrendPoint& t : r.trends) {
    uint64_t sum = 0;
    for (uint64_t v : t.by_severity) sum += v;
    max = std::max(max, sum);
  }
  const int w = 1000, h = 220, left = 40, bottom = 40, top = 10;
  const double step = static_cast<double>(w - left - 10) / static_cast<double>(r.trends.size());
  const double bw = std::max(1.0, step * 0.7);
  o << "<svg role=\"img\" aria-label=\"Alerts per " << (r.trends.size() > 1 ? "interval" : "day") << "\" width=\"100%\" viewBox=\"0 0 "
    << w << " " << h << "\" preserveAspectRatio=\"xMinYMin meet\">";
  o << "<line x1=\"" << left << "\" y1=\"" << h - bottom << "\" x2=\"" << w - 10 << "\" y2=\"" << h - bottom
    << "\" stroke=\"#616e7c\"/>";
  o << "<text x=\"0\" y=\"" << top + 10 << "\" font-size=\"11\">" << max << "</text><text x=\"0\" y=\"" << h - bottom
    << "\" font-size=\"11\">0</text>";
  const size_t label_every = std::max<size_t>(1, r.trends.size() / 12);
  for (size_t i = 0; i < r.trends.size(); ++i) {
    const TrendPoint& t = r.trends[i];
    double y = h - bottom;
    const double x = left + step * static_cast<double>(i) + (step - bw) / 2;
    for (int s = 0; s < 5; ++s) {
      if (t.by_severity[s] == 0) continue;
      const double bh = (h - bottom - top) * static_cast<double>(t.by_severity[s]) / static_cast<double>(max);
      y -= bh;
      o << "<rect x=\"" << Num(x, 2) << "\" y=\"" << Num(y, 2) << "\" width=\"" << Num(bw, 2) << "\" height=\""
        << Num(bh, 2) << "\" fill=\"" << kSeverityColours[s] << "\"><title>" << t.day << " " << Sev(static_cast<AlertSeverity>(s))
        << ": " << t.by_severity[s] << "</title></rect>";
    }
    if (i % label_every == 0) {
      o << "<text x=\"" << Num(x, 2) << "\" y=\"" << h - bottom + 16 << "\" font-size=\"11\">" << t.day.substr(5)
        << "</text>";
    }
  }
  o << "</svg><div class=\"legend muted\">";
  for (int s = 0; s < 5; ++s) {
    o << "<span><i style=\"background:" << kSeverityColours[s] << "\"></i>" << Sev(static_cast<AlertSeverity>(s)) << "</span>";
  }
  o << "</div></section>\n";
}

void FindingsHtml(const Report& r, std::ostringstream& o) {
  o << "<section id=\"findings\"><h2>Finding details</h2>";
  if (r.findings.empty()) o << "<p class=\"muted\">No alert was raised in the period.</p>";
  size_t shown = 0;
  for (const Finding& f : r.findings) {
    if (shown++ == kDetailedFindings) {
      o << "<p class=\"muted\">" << r.findings.size() - kDetailedFindings
        << " more findings are in the JSON and CSV forms of this report.</p>";
      break;
    }
    o << "<details class=\"finding\" id=\"alert-" << f.alert_id << "\" open><summary><b>#" << f.alert_id << "</b> "
      << "<span class=\"badge\" style=\"background:" << kSeverityColours[static_cast<int>(f.severity)] << "\">"
      << Sev(f.severity) << "</span> " << Esc(f.rule_name) << " &mdash; " << Esc(f.output) << "</summary>";
    o << "<table><tr><th>Time</th><td>" << Esc(FormatRfc3339(f.time)) << (f.count > 1 ? " (" + std::to_string(f.count) +
                                                                                            " events, " + Esc(FormatRfc3339(f.first)) + " to " + Esc(FormatRfc3339(f.last)) + ")" : "")
      << "</td></tr><tr><th>Rule</th><td class=\"mono\">" << Esc(f.rule_id) << "</td></tr><tr><th>Host</th><td>"
      << Esc(f.host) << "</td></tr><tr><th>Status</th><td>" << Esc(f.status)
      << (f.resolution.empty() ? "" : " (" + Esc(f.resolution) + ")") << "</td></tr><tr><th>Controls</th><td>";
    for (const auto& [fw, ids] : f.controls) {
      o << Esc(fw) << ": ";
      for (const std::string& id : ids) o << "<code>" << Esc(id) << "</code> ";
      o << "<br>";
    }
    o << "</td></tr><tr><th>Audit record</th><td class=\"mono\">seq " << f.audit_seq << ", sha256 " << Esc(f.audit_hash)
      << "</td></tr><tr><th>History</th><td>";
    for (const Transition& t : f.history) {
      o << Esc(FormatRfc3339(t.at)) << " " << Esc(t.action) << " by " << Esc(t.actor) << " (" << Esc(t.from)
        << (t.from.empty() ? "" : " &rarr; ") << Esc(t.to) << ", audit seq " << t.audit_seq << ")<br>";
    }
    o << "</td></tr></table>";
    for (const std::string& e : f.evidence) {
      o << "<pre>" << Esc(EvidenceJson(e).dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace))
        << "</pre>";
    }
    o << "</details>";
  }
  o << "</section>\n";
}

void VerifyHtml(const Report& r, std::ostringstream& o) {
  o << "<section id=\"verify\"><h2>How to verify</h2><ol>"
       "<li>Obtain the daemon's verifier key (<code>audit.key.pub</code>) from the system owner through a channel you "
       "trust, and keep your own copy. Its name and id must match the signing key on the cover: <code>"
    << Esc(r.cover.key_id.empty() ? "(none)" : r.cover.key_id)
    << "</code>.</li>"
       "<li>Check this bundle: <code>vigil verify --report DIR --key audit.key.pub</code>. It checks the Ed25519 "
       "signature in <code>SHA256SUMS.sig</code>, that it signs <code>SHA256SUMS</code>, the SHA-256 of every file, and "
       "that no file was added. Without Vigil: <code>sha256sum -c SHA256SUMS</code> checks the sums; the signature is a "
       "C2SP signed note.</li>"
       "<li>Check the evidence itself: each finding cites its audit-log record (sequence number and SHA-256). "
       "<code>vigil verify --audit-log vigil.audit.log --key audit.key.pub</code> checks the hash chain, the Merkle "
       "checkpoints and their signatures; a record's hash is the SHA-256 of its line.</li>"
       "<li>Recompute the rules hash on the cover with <code>sha256sum RULE_FILES&hellip; | sha256sum</code> over the "
       "rule files in load order.</li></ol></section>\n";
}

class HtmlWriter : public ReportWriter {
 public:
  std::string_view name() const override { return "html"; }
  std::string_view file_name() const override { return "report.html"; }
  Result<std::string> Write(const Report& r) const override {
    std::ostringstream o;
    o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
         "img-src data:\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Vigil audit report "
      << Esc(r.cover.report_id) << "</title><style>" << kStyle << "</style></head><body><main>\n";
    CoverHtml(r, o);
    SummaryHtml(r, o);
    CoverageHtml(r, o);
    ControlsHtml(r, o);
    HandlingHtml(r, o);
    RetentionHtml(r, o);
    IntegrityHtml(r, o);
    RisksHtml(r, o);
    TrendsHtml(r, o);
    FindingsHtml(r, o);
    VerifyHtml(r, o);
    o << "<footer class=\"muted\">" << Esc(r.cover.generator) << " &middot; report " << Esc(r.cover.report_id)
      << "</footer></main></body></html>\n";
    return o.str();
  }
};

}  // namespace

VIGIL_REGISTER_REPORT_WRITER(HtmlWriter);

}  // namespace vigil::report
