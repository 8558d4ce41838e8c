// One audit-log record line: its exact written form, and reading it back.
//
//   {"seq":N,"prev":"<64 hex>","time":"<RFC 3339>","type":"<type>","data":<JSON object>}
//
// The writer produces exactly this key order and spelling, so the bytes of a record (and
// with them its hash) are fixed by its content. The reader accepts only well-formed
// records (all five keys, seq ≥ 1, prev of 64 lower-case hex digits, a valid time, data an
// object) and reports what is wrong otherwise.
//
// Threading: free functions without state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "audit/digest.h"
#include "vigil/event.h"
#include "vigil/status.h"

namespace vigil::audit {

// A record line longer than this is damage, not a record (alerts are far smaller).
inline constexpr size_t kMaxRecordBytes = size_t{16} << 20;

struct Record {
  uint64_t seq = 0;
  Hash prev{};
  Timestamp time{};
  std::string type;
  nlohmann::json data;  // an object
};

std::string FormatRecord(uint64_t seq, const Hash& prev, Timestamp time, std::string_view type,
                         std::string_view data_json);
Result<Record> ParseRecord(std::string_view line);
// The same without keeping `data` (cheaper; the writer needs only seq, type and time).
Result<Record> ParseRecordHeader(std::string_view line);

}  // namespace vigil::audit
