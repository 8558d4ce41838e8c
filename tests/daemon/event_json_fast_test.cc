// EventToJson's fast path must write exactly the bytes of the general path. Random events
// (every value type, names that sort differently as full strings and as components,
// control characters, non-ASCII and invalid UTF-8) are written both ways and compared.
#include <gtest/gtest.h>

#include <random>

#include "event_json.h"
#include "vigil/ecs_fields.h"

namespace vigil {
namespace {

FieldId Declare(const char* name, FieldType type) {
  auto id = FieldRegistry::Global().Declare(name, type);
  EXPECT_TRUE(id.ok()) << name;
  return *id;
}

std::string RandomString(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "alice", "root", "ß", "日本", "\"quoted\"", "back\\slash", "tab\t", "nl\n", "\x01",
      "\x7f", "\xff\xfe", "\xc3", "\xed\xa0\x80", "😀", "", " ", "a.b", "-", "{}"};
  std::string s;
  int n = static_cast<int>(rng() % 4);
  for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
  return s;
}

Value RandomValue(FieldType type, std::mt19937& rng) {
  switch (type) {
    case FieldType::kString: return RandomString(rng);
    case FieldType::kInt: return static_cast<int64_t>(rng()) - (int64_t{1} << 31);
    case FieldType::kDouble: return static_cast<double>(rng() % 1000) / 7.0;
    case FieldType::kBool: return rng() % 2 == 0;
    case FieldType::kIp:
      return rng() % 2 ? IpAddress::FromV4(static_cast<uint32_t>(rng()))
                       : *IpAddress::Parse("2001:db8::" + std::to_string(rng() % 9999));
    case FieldType::kTime: return Timestamp{Duration{static_cast<int64_t>(rng()) * 1000000123}};
    case FieldType::kDuration: return Duration{static_cast<int64_t>(rng())};
    case FieldType::kList: {
      StringList l;
      for (unsigned i = 0; i < rng() % 3; ++i) l.push_back(RandomString(rng));
      return l;
    }
  }
  return std::monostate{};
}

TEST(EventJsonFastPath, WritesExactlyWhatTheGeneralPathWrites) {
  // Names where '-' (which sorts before '.') and nesting meet, plus one under another field.
  Declare("vigil.fasttest.a", FieldType::kString);
  Declare("vigil.fasttest.a-b", FieldType::kInt);
  Declare("vigil.fasttest-x.y", FieldType::kBool);
  Declare("vigil.fasttest.deep.er.than.most", FieldType::kList);
  Declare("vigil.fasttest.a.under", FieldType::kString);  // under the field "vigil.fasttest.a"
  const auto all = FieldRegistry::Global().All();
  std::mt19937 rng(20261123);
  int fast = 0;
  for (int round = 0; round < 20000; ++round) {
    Event e;
    int n = 1 + static_cast<int>(rng() % 14);
    for (int i = 0; i < n; ++i) {
      FieldId id = static_cast<FieldId>(rng() % all.size());
      e.Set(id, RandomValue(all[id]->type, rng));
    }
    std::string quick;
    bool took = internal::TryEventToJsonFast(e, FieldRegistry::Global(), &quick);
    std::string general = internal::EventToJsonGeneric(e, FieldRegistry::Global());
    if (took) {
      ++fast;
      ASSERT_EQ(quick, general) << "round " << round;
    }
    ASSERT_EQ(EventToJson(e), general);
  }
  // Most events take the fast path; the rest (doubles, bad UTF-8, clashes) fall back.
  EXPECT_GT(fast, 2000);
}

TEST(EventJsonFastPath, TypicalEventTakesTheFastPath) {
  Event e;
  e.Set(ecs::kTimestamp, Timestamp{Duration{1'700'000'000'000'000'000}});
  e.Set(ecs::kEventDataset, std::string("access.sshd"));
  e.Set(ecs::kEventCategory, StringList{"authentication"});
  e.Set(ecs::kSourceIp, *IpAddress::Parse("192.0.2.1"));
  e.Set(ecs::kSourcePort, int64_t{22});
  e.Set(ecs::kUserName, std::string("root"));
  std::string out;
  ASSERT_TRUE(internal::TryEventToJsonFast(e, FieldRegistry::Global(), &out));
  EXPECT_EQ(out,
            "{\"@timestamp\":\"2023-11-14T22:13:20Z\",\"event\":{\"category\":[\"authentication\"],"
            "\"dataset\":\"access.sshd\"},\"source\":{\"ip\":\"192.0.2.1\",\"port\":22},"
            "\"user\":{\"name\":\"root\"}}");
}

}  // namespace
}  // namespace vigil
