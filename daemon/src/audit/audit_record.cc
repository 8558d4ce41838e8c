#include "audit/audit_record.h"

#include "vigil/time_format.h"

namespace vigil::audit {
namespace {

Result<Record> Parse(std::string_view line, bool keep_data) {
  using nlohmann::json;
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::ParseError("not valid JSON");
  if (!j.is_object()) return Status::ParseError("not a JSON object");
  Record r;
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned() || seq->get<uint64_t>() == 0) {
    return Status::ParseError("missing or invalid \"seq\"");
  }
  r.seq = seq->get<uint64_t>();
  auto prev = j.find("prev");
  if (prev == j.end() || !prev->is_string()) return Status::ParseError("missing \"prev\"");
  auto h = HashFromHex(prev->get_ref<const std::string&>());
  if (!h) return Status::ParseError("\"prev\" is not 64 lower-case hex digits");
  r.prev = *h;
  auto time = j.find("time");
  if (time == j.end() || !time->is_string()) return Status::ParseError("missing \"time\"");
  auto t = ParseRfc3339(time->get_ref<const std::string&>());
  if (!t) return Status::ParseError("\"time\" is not an RFC 3339 time");
  r.time = *t;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return Status::ParseError("missing \"type\"");
  r.type = type->get<std::string>();
  auto data = j.find("data");
  if (data == j.end() || !data->is_object()) return Status::ParseError("missing or non-object \"data\"");
  if (j.size() != 5) return Status::ParseError("unexpected keys besides seq, prev, time, type, data");
  if (keep_data) r.data = std::move(*data);
  return r;
}

}  // namespace

std::string FormatRecord(uint64_t seq, const Hash& prev, Timestamp time, std::string_view type,
                         std::string_view data_json) {
  std::string line;
  line.reserve(data_json.size() + 160);
  line += "{\"seq\":";
  line += std::to_string(seq);
  line += ",\"prev\":\"";
  line += Hex(prev);
  line += "\",\"time\":\"";
  line += FormatRfc3339(time);
  line += "\",\"type\":";
  line += nlohmann::json(std::string(type)).dump();
  line += ",\"data\":";
  line += data_json;
  line += '}';
  return line;
}

Result<Record> ParseRecord(std::string_view line) { return Parse(line, true); }
Result<Record> ParseRecordHeader(std::string_view line) { return Parse(line, false); }

}  // namespace vigil::audit
