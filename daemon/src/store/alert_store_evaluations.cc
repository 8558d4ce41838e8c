// AlertStore: the projection of control_evaluation records (written by `vigil report` and the
// daemon's scheduled reports, reports/include/vigil/report/evaluation_record.h) into the
// control_evaluations table (migration 3).
//
//   control_evaluation {"report_id","from","to","framework","control","result","reason",
//                       "evidence","rules":[…]}
#include <string>

#include "store/alert_store.h"
#include "store/record_fields.h"

namespace vigil::store {

using nlohmann::json;
using audit::StringAt;

Status AlertStore::ApplyControlEvaluation(const audit::Record& r) {
  auto from = TimeAt(r.data, "from");
  auto to = TimeAt(r.data, "to");
  if (!from.ok()) return RecordError(r, from.status());
  if (!to.ok()) return RecordError(r, to.status());
  const std::string result = StringAt(r.data, "result");
  if (result != "pass" && result != "fail" && result != "not_applicable" && result != "not_checked") {
    return RecordError(r, Status::ParseError("unknown result \"" + result + "\""));
  }
  const std::string framework = StringAt(r.data, "framework"), control = StringAt(r.data, "control");
  if (framework.empty() || control.empty()) return RecordError(r, Status::ParseError("missing framework or control"));
  auto evidence = IntField(r, "evidence", 0);
  if (!evidence.ok()) return evidence.status();
  std::string rules;
  if (auto it = r.data.find("rules"); it != r.data.end() && it->is_array()) {
    for (const json& id : *it) {
      if (!id.is_string()) continue;
      if (!rules.empty()) rules += ',';
      rules += id.get<std::string>();
    }
  }
  auto st = Stmt(
      "INSERT OR REPLACE INTO control_evaluations (audit_seq, report_id, at_ns, from_ns, to_ns, framework, control, "
      "result, reason, evidence, rules) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!st.ok()) return st.status();
  return (*st)
      ->Bind(1, static_cast<int64_t>(r.seq))
      .Bind(2, StringAt(r.data, "report_id"))
      .Bind(3, Ns(r.time))
      .Bind(4, Ns(*from))
      .Bind(5, Ns(*to))
      .Bind(6, framework)
      .Bind(7, control)
      .Bind(8, result)
      .Bind(9, StringAt(r.data, "reason"))
      .Bind(10, *evidence)
      .Bind(11, rules)
      .Run();
}

Result<std::vector<StoredEvaluation>> AlertStore::Evaluations(const std::string& report_id) {
  auto st = db_.Prepare(
      "SELECT audit_seq, report_id, at_ns, from_ns, to_ns, framework, control, result, reason, evidence, rules "
      "FROM control_evaluations WHERE report_id = ?1 ORDER BY framework, control, audit_seq");
  if (!st.ok()) return st.status();
  st->Bind(1, report_id);
  std::vector<StoredEvaluation> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({static_cast<uint64_t>(st->Int(0)), st->Text(1), FromNs(st->Int(2)), FromNs(st->Int(3)),
                   FromNs(st->Int(4)), st->Text(5), st->Text(6), st->Text(7), st->Text(8),
                   static_cast<uint64_t>(st->Int(9)), st->Text(10)});
  }
  return out;
}

}  // namespace vigil::store
