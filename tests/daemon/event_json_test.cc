#include "event_json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "vigil/ecs_fields.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// ECS has no double or bool field: tests declare their own (in the global registry, which
// Event::Set checks against).
FieldId TestField(const char* name, FieldType type) {
  auto id = FieldRegistry::Global().Declare(name, type, "test field");
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  return *id;
}

Timestamp At(int64_t secs, int64_t ns = 0) { return Timestamp{seconds(secs) + nanoseconds(ns)}; }

Event Parse(const std::string& json) {
  Result<Event> r = EventFromJson(json);
  EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
  return r.ok() ? std::move(r).value() : Event();
}

std::string ParseError(const std::string& json) {
  Result<Event> r = EventFromJson(json);
  EXPECT_FALSE(r.ok()) << json << " was accepted";
  return r.status().message();
}

// ---- time ----

TEST(TimeFormatTest, FormatTrimsTheFraction) {
  EXPECT_EQ(FormatRfc3339(At(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(At(1772359200)), "2026-03-01T10:00:00Z");
  EXPECT_EQ(FormatRfc3339(At(1772359200, 250'000'000)), "2026-03-01T10:00:00.250Z");
  EXPECT_EQ(FormatRfc3339(At(1772359200, 1'000)), "2026-03-01T10:00:00.000001Z");
  EXPECT_EQ(FormatRfc3339(At(1772359200, 120'500'000)), "2026-03-01T10:00:00.120500Z");
  EXPECT_EQ(FormatRfc3339(At(1772359200, 1)), "2026-03-01T10:00:00.000000001Z");
  EXPECT_EQ(FormatRfc3339(At(1772359200, 123'456'789)), "2026-03-01T10:00:00.123456789Z");
  EXPECT_EQ(FormatRfc3339(At(951782400)), "2000-02-29T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(At(-1)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(Timestamp::max()), "2262-04-11T23:47:16.854775807Z");
}

TEST(TimeFormatTest, ParsesZonesAndSeparators) {
  const Timestamp t = At(1772359200);
  EXPECT_EQ(ParseRfc3339("2026-03-01T10:00:00Z"), t);
  EXPECT_EQ(ParseRfc3339("2026-03-01t10:00:00z"), t);
  EXPECT_EQ(ParseRfc3339("2026-03-01 10:00:00Z"), t);
  EXPECT_EQ(ParseRfc3339("2026-03-01T12:00:00+02:00"), t);
  EXPECT_EQ(ParseRfc3339("2026-03-01T12:00:00+0200"), t);
  EXPECT_EQ(ParseRfc3339("2026-03-01T04:30:00-05:30"), t);
  EXPECT_EQ(ParseRfc3339("2026-03-01T04:30:00-0530"), t);
  EXPECT_EQ(ParseRfc3339("2026-03-02T00:00:00+14:00"), t);
  EXPECT_EQ(ParseRfc3339("2026-02-28T23:00:00-11:00"), t);  // crosses the month
}

TEST(TimeFormatTest, ParsesFractions) {
  EXPECT_EQ(ParseRfc3339("2026-03-01T10:00:00.5Z"), At(1772359200, 500'000'000));
  EXPECT_EQ(ParseRfc3339("2026-03-01T10:00:00.250Z"), At(1772359200, 250'000'000));
  EXPECT_EQ(ParseRfc3339("2026-03-01T10:00:00.000001Z"), At(1772359200, 1'000));
  EXPECT_EQ(ParseRfc3339("2026-03-01T10:00:00.123456789+00:00"), At(1772359200, 123'456'789));
  EXPECT_FALSE(ParseRfc3339("2026-03-01T10:00:00.1234567891Z"));  // 10 digits
  EXPECT_FALSE(ParseRfc3339("2026-03-01T10:00:00.Z"));
  EXPECT_FALSE(ParseRfc3339("2026-03-01T10:00:00,5Z"));
}

TEST(TimeFormatTest, ValidatesTheCalendar) {
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z"));  // leap year
  EXPECT_TRUE(ParseRfc3339("2000-02-29T00:00:00Z"));  // divisible by 400
  EXPECT_FALSE(ParseRfc3339("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2100-02-29T00:00:00Z"));  // divisible by 100 only
  EXPECT_FALSE(ParseRfc3339("2026-04-31T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-00-01T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-01-00T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-01-32T00:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-01-01T24:00:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-01-01T23:60:00Z"));
  EXPECT_FALSE(ParseRfc3339("2026-01-01T23:59:60Z"));  // no leap seconds
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00+24:00"));
  EXPECT_FALSE(ParseRfc3339("2026-01-01T00:00:00+01:60"));
}

TEST(TimeFormatTest, RefusesMalformedTextAndOutOfRange) {
  for (const char* bad :
       {"", "2026-03-01", "2026-03-01T10:00:00", "2026-03-01T10:00Z", "2026-3-01T10:00:00Z",
        "2026-03-01T10:00:00Z ", " 2026-03-01T10:00:00Z", "2026-03-01T10:00:00+02",
        "2026-03-01T10:00:00+2:00", "2026-03-01X10:00:00Z", "2026-03-01T10:00:00UTC",
        "+2026-03-01T10:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:30:00+01:00",
        "2262-04-11T23:47:16.854775808Z", "2300-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
        "２026-03-01T10:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z"), At(0));
  EXPECT_EQ(ParseRfc3339("1970-01-01T01:00:00+01:00"), At(0));
  EXPECT_EQ(ParseRfc3339("2262-04-11T23:47:16.854775807Z"), Timestamp::max());
}

TEST(TimeFormatTest, FormatThenParseIsTheIdentity) {
  for (int64_t ns : {int64_t{0}, int64_t{1}, int64_t{999'999'999'999},
                     int64_t{1772359200'123456789}, Timestamp::max().time_since_epoch().count()}) {
    const Timestamp t{nanoseconds(ns)};
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(t)), t) << FormatRfc3339(t);
  }
}

// ---- writing ----

TEST(EventJsonTest, WritesNestedSortedWithTimestampFirst) {
  Event e;
  e.Set(ecs::kUserName, std::string("alice"));
  e.Set(ecs::kSourcePort, int64_t{52000});
  e.Set(ecs::kSourceIp, *IpAddress::Parse("10.0.0.7"));
  e.Set(ecs::kDestinationIp, *IpAddress::Parse("2001:db8::1"));
  e.Set(ecs::kEventCategory, StringList{"authentication", "session"});
  e.Set(ecs::kEventDuration, Duration{1500});
  e.Set(ecs::kTimestamp, At(1772359200, 250'000'000));
  e.extras().push_back({"0first", "1"});  // '0' sorts before '@'
  EXPECT_EQ(EventToJson(e), R"({"@timestamp":"2026-03-01T10:00:00.250Z","0first":1,)"
                            R"("destination":{"ip":"2001:db8::1"},)"
                            R"("event":{"category":["authentication","session"],"duration":1500},)"
                            R"("source":{"ip":"10.0.0.7","port":52000},"user":{"name":"alice"}})");
}

TEST(EventJsonTest, WritesEmptyEventAndSkipsValuelessFields) {
  Event e;
  EXPECT_EQ(EventToJson(e), "{}");
  e.Set(ecs::kMessage, std::monostate{});
  EXPECT_EQ(EventToJson(e), "{}");
}

TEST(EventJsonTest, WritesBoolAndDoubleNatively) {
  const FieldId ratio = TestField("vigil.test.ratio", FieldType::kDouble);
  const FieldId flag = TestField("vigil.test.flag", FieldType::kBool);
  Event e;
  e.Set(ratio, 0.25);
  e.Set(flag, true);
  EXPECT_EQ(EventToJson(e), R"({"vigil":{"test":{"flag":true,"ratio":0.25}}})");
}

TEST(EventJsonTest, ReplacesInvalidUtf8) {
  Event e;
  e.Set(ecs::kMessage, std::string("bad \xff\xfe byte"));
  e.extras().push_back({"we\xc3ird", "\"x\""});
  std::string out;
  ASSERT_NO_THROW(out = EventToJson(e));
  EXPECT_NE(out.find("bad \xEF\xBF\xBD\xEF\xBF\xBD byte"), std::string::npos) << out;
  EXPECT_TRUE(EventFromJson(out).ok());
}

TEST(EventJsonTest, KeepsClashingNamesFlat) {
  Event e;
  e.extras().push_back({"a.b", "2"});
  e.extras().push_back({"a", "1"});
  e.extras().push_back({"a.c.d", "3"});
  e.extras().push_back({"event", "\"x\""});
  e.Set(ecs::kEventKind, std::string("event"));
  const std::string out = EventToJson(e);
  EXPECT_EQ(out, R"({"a":1,"a.b":2,"a.c.d":3,"event":"x","event.kind":"event"})");
  Event back = Parse(out);
  ASSERT_NE(back.GetString(ecs::kEventKind), nullptr);
  EXPECT_EQ(*back.GetString(ecs::kEventKind), "event");
  EXPECT_EQ(back.extras().size(), 4u);
  EXPECT_EQ(EventToJson(back), out);
}

TEST(EventJsonTest, NeverNestsUnderADeclaredFieldsName) {
  // Nested, {"source":{"ip":{"ip":...}}} would say that source.ip is an object.
  Event e = Parse(R"({"source.ip.ip":"x","source.ip.y.z":1})");
  ASSERT_EQ(e.extras().size(), 2u);
  const std::string out = EventToJson(e);
  EXPECT_EQ(out, R"({"source":{"ip.ip":"x","ip.y.z":1}})");
  EXPECT_EQ(EventToJson(Parse(out)), out);
  // The nested form of the same thing is a type error.
  EXPECT_EQ(ParseError(R"({"source":{"ip":{"ip":"x"}}})"),
            R"(field 'source.ip': expected ip, got {"ip":"x"})");
}

TEST(EventJsonTest, NeverNestsOutputDeeperThanItCanRead) {
  std::string name = "a";
  for (int i = 0; i < 40; ++i) name += ".b";
  std::string deep_value;
  for (int i = 0; i < 30; ++i) deep_value += "[";
  for (int i = 0; i < 30; ++i) deep_value += "]";
  Event e = Parse("{\"" + name + "\":1,\"x.y.z\":" + deep_value + "}");
  ASSERT_EQ(e.extras().size(), 2u);
  const std::string out = EventToJson(e);
  Event back = Parse(out);
  ASSERT_EQ(back.extras().size(), 2u);
  EXPECT_EQ(back.extras()[0].name, name);
  EXPECT_EQ(back.extras()[1].name, "x.y.z");
  EXPECT_EQ(back.extras()[1].json, deep_value);
  EXPECT_EQ(EventToJson(back), out);
}

TEST(EventJsonTest, KeepsTextOfExtrasThatAreNotJson) {
  Event e;
  e.extras().push_back({"odd", "{not json"});
  EXPECT_EQ(EventToJson(e), R"({"odd":"{not json"})");
  Event deep;
  deep.extras().push_back({"deep", std::string(100'000, '[') + std::string(100'000, ']')});
  const std::string out = EventToJson(deep);  // kept as text: no recursion over it
  EXPECT_EQ(out.size(), 200'000u + 11);
  EXPECT_TRUE(EventFromJson(out).ok());
}

// ---- reading ----

TEST(EventJsonTest, ReadsEveryType) {
  const FieldId ratio = TestField("vigil.test.ratio", FieldType::kDouble);
  const FieldId flag = TestField("vigil.test.flag", FieldType::kBool);
  Event e = Parse(R"({"@timestamp":"2026-03-01T12:00:00.5+02:00","message":"hi",)"
                  R"("source":{"ip":"::ffff:10.1.2.3","port":22},"event":{"duration":42,)"
                  R"("category":"network","type":["start","connection"]},)"
                  R"("vigil":{"test":{"ratio":1.5,"flag":false}}})");
  EXPECT_EQ(e.time(), At(1772359200, 500'000'000));
  EXPECT_EQ(*e.GetString(ecs::kMessage), "hi");
  EXPECT_EQ(e.GetIp(ecs::kSourceIp)->ToString(), "::ffff:10.1.2.3");
  EXPECT_EQ(*e.GetInt(ecs::kSourcePort), 22);
  EXPECT_EQ(std::get<Duration>(*e.Get(ecs::kEventDuration)), Duration{42});
  EXPECT_EQ(*e.GetList(ecs::kEventCategory), StringList{"network"});
  EXPECT_EQ(*e.GetList(ecs::kEventType), (StringList{"start", "connection"}));
  EXPECT_EQ(std::get<double>(*e.Get(ratio)), 1.5);
  EXPECT_EQ(std::get<bool>(*e.Get(flag)), false);
  EXPECT_TRUE(e.extras().empty());
}

TEST(EventJsonTest, RoundTripsEveryType) {
  const FieldId ratio = TestField("vigil.test.ratio", FieldType::kDouble);
  const FieldId flag = TestField("vigil.test.flag", FieldType::kBool);
  Event e;
  e.Set(ecs::kTimestamp, At(1772359200, 123'456'789));
  e.Set(ecs::kMessage, std::string("caf\xc3\xa9 \"quoted\" \\ \n"));
  e.Set(ecs::kProcessPid, int64_t{-9223372036854775807 - 1});
  e.Set(ecs::kFileSize, int64_t{9223372036854775807});
  e.Set(ecs::kSourceIp, *IpAddress::Parse("192.168.1.1"));
  e.Set(ecs::kDestinationIp, *IpAddress::Parse("fe80::1"));
  e.Set(ecs::kEventDuration, Duration{-5});
  e.Set(ecs::kTags, StringList{});
  e.Set(ecs::kRelatedUser, StringList{"a", "b"});
  e.Set(ratio, 3.141592653589793);
  e.Set(flag, true);
  const std::string json = EventToJson(e);
  Event back = Parse(json);
  EXPECT_EQ(back.size(), e.size());
  for (const Event::Field& f : e.fields()) {
    const Value* v = back.Get(f.id);
    ASSERT_NE(v, nullptr) << FieldRegistry::Global().Info(f.id).name;
    EXPECT_TRUE(*v == f.value) << FieldRegistry::Global().Info(f.id).name;
  }
  EXPECT_EQ(EventToJson(back), json);
}

TEST(EventJsonTest, AcceptsDottedAndMixedKeys) {
  Event e =
      Parse(R"({"source.ip":"10.0.0.1","source":{"port":"22"},"user.target":{"name":"root"}})");
  EXPECT_EQ(e.GetIp(ecs::kSourceIp)->ToString(), "10.0.0.1");
  EXPECT_EQ(*e.GetInt(ecs::kSourcePort), 22);
  EXPECT_EQ(*e.GetString(ecs::kUserTargetName), "root");
}

TEST(EventJsonTest, KeepsUndeclaredFieldsAsExtras) {
  const std::string in =
      R"({"custom":{"list":[1,{"x":null}],"n":1.5,"s":"t"},"event":{"action":"x"},"z":true})";
  Event e = Parse(in);
  ASSERT_EQ(e.extras().size(), 4u);
  EXPECT_EQ(e.extras()[0].name, "custom.list");
  EXPECT_EQ(e.extras()[0].json, R"([1,{"x":null}])");
  EXPECT_EQ(e.extras()[1].name, "custom.n");
  EXPECT_EQ(e.extras()[2].name, "custom.s");
  EXPECT_EQ(e.extras()[2].json, R"("t")");
  EXPECT_EQ(e.extras()[3].name, "z");
  EXPECT_EQ(*e.GetString(ecs::kEventAction), "x");
  EXPECT_EQ(EventToJson(e), in);
}

TEST(EventJsonTest, SkipsNullsAndEmptyObjects) {
  Event e = Parse(R"({"message":null,"source":{},"x":{"y":{}},"user":{"name":"bob"}})");
  EXPECT_EQ(e.size(), 1u);
  EXPECT_TRUE(e.extras().empty());
  EXPECT_EQ(EventToJson(e), R"({"user":{"name":"bob"}})");
}

TEST(EventJsonTest, ReadsIntegersAndDigitStrings) {
  EXPECT_EQ(*Parse(R"({"source.port":"443"})").GetInt(ecs::kSourcePort), 443);
  EXPECT_EQ(*Parse(R"({"process.pid":-1})").GetInt(ecs::kProcessPid), -1);
  EXPECT_EQ(*Parse(R"({"file.size":9223372036854775807})").GetInt(ecs::kFileSize),
            9223372036854775807);
  for (const char* bad :
       {R"({"source.port":22.0})", R"({"source.port":"22.5"})", R"({"source.port":" 22"})",
        R"({"source.port":"+22"})", R"({"source.port":""})", R"({"source.port":true})",
        R"({"file.size":9223372036854775808})", R"({"file.size":"99999999999999999999"})"}) {
    EXPECT_NE(ParseError(bad).find("expected int"), std::string::npos) << bad;
  }
}

TEST(EventJsonTest, ReadsTimeAsTextOrEpochSeconds) {
  EXPECT_EQ(Parse(R"({"@timestamp":1772359200})").time(), At(1772359200));
  EXPECT_EQ(Parse(R"({"@timestamp":1772359200.25})").time(), At(1772359200, 250'000'000));
  EXPECT_EQ(Parse(R"({"@timestamp":1772359200.1})").time(), At(1772359200, 100'000'000));
  EXPECT_EQ(Parse(R"({"@timestamp":0})").time(), At(0));
  EXPECT_EQ(Parse(R"({"@timestamp":0.000001})").time(), At(0, 1'000));
  for (const char* bad :
       {R"({"@timestamp":-1})", R"({"@timestamp":-0.5})", R"({"@timestamp":1e300})",
        R"({"@timestamp":"yesterday"})", R"({"@timestamp":"1772359200"})", R"({"@timestamp":true})",
        R"({"@timestamp":9223372037})"}) {
    EXPECT_NE(ParseError(bad).find("field '@timestamp': expected time"), std::string::npos) << bad;
  }
}

TEST(EventJsonTest, NamesTheFieldAndTypeOnWrongType) {
  EXPECT_EQ(ParseError(R"({"source":{"ip":"abc"}})"),
            R"(field 'source.ip': expected ip, got "abc")");
  EXPECT_EQ(ParseError(R"({"message":5})"), "field 'message': expected string, got 5");
  EXPECT_EQ(ParseError(R"({"tags":[1]})"),
            "field 'tags': expected list (an array of strings, or one string), got [1]");
  EXPECT_EQ(ParseError(R"({"event.duration":1.5})"),
            "field 'event.duration': expected duration (integer nanoseconds), got 1.5");
  EXPECT_EQ(ParseError(R"({"source":{"ip":{"v4":"1.2.3.4"}}})"),
            R"(field 'source.ip': expected ip, got {"v4":"1.2.3.4"})");
  TestField("vigil.test.flag", FieldType::kBool);
  EXPECT_EQ(ParseError(R"({"vigil.test.flag":"true"})"),
            R"(field 'vigil.test.flag': expected bool, got "true")");
  TestField("vigil.test.ratio", FieldType::kDouble);
  EXPECT_EQ(ParseError(R"({"vigil.test.ratio":"1"})"),
            R"(field 'vigil.test.ratio': expected double, got "1")");
  const std::string long_value(200, 'x');
  const std::string msg = ParseError(R"({"source.ip":")" + long_value + R"("})");
  EXPECT_LT(msg.size(), 120u);
  EXPECT_NE(msg.find("..."), std::string::npos);
}

TEST(EventJsonTest, RefusesANameGivenTwice) {
  EXPECT_EQ(ParseError(R"({"a.b":1,"a":{"b":2}})"), "field 'a.b' is given more than once");
  EXPECT_EQ(ParseError(R"({"source.ip":"1.1.1.1","source":{"ip":"2.2.2.2"}})"),
            "field 'source.ip' is given more than once");
}

TEST(EventJsonTest, RefusesNonObjectsAndMalformedJson) {
  EXPECT_EQ(ParseError("[]"), "expected a JSON object, got an array");
  EXPECT_EQ(ParseError(R"("x")"), "expected a JSON object, got a string");
  EXPECT_EQ(ParseError("1"), "expected a JSON object, got a number");
  EXPECT_EQ(ParseError("null"), "expected a JSON object, got null");
  for (const char* bad : {"", "{", "{\"a\":}", "{} {}", "{\"a\":1,}", "{'a':1}", "{\"a\":1e999}",
                          "{\"a\":\"\xff\"}"}) {
    const std::string msg = ParseError(bad);
    EXPECT_EQ(msg.rfind("invalid JSON: ", 0), 0u) << bad << " -> " << msg;
  }
}

TEST(EventJsonTest, LocatesSyntaxErrorsByColumn) {
  EXPECT_EQ(ParseError(R"({"a":tru})").rfind("invalid JSON: parse error at column 9: ", 0), 0u);
  EXPECT_NE(ParseError("{\n\"a\":}").find("at line 2, column 5"), std::string::npos);
}

TEST(EventJsonTest, LimitsNestingDepth) {
  auto nested = [](int depth) {
    std::string s;
    for (int i = 1; i < depth; ++i) s += "{\"k\":";
    s += "{\"leaf\":1}";
    for (int i = 1; i < depth; ++i) s += "}";
    return s;
  };
  Event e = Parse(nested(kMaxJsonDepth));
  ASSERT_EQ(e.extras().size(), 1u);
  EXPECT_EQ(ParseError(nested(kMaxJsonDepth + 1)), "invalid JSON: nested deeper than 32 levels");
  // Arrays count too, and a hostile depth costs no recursion.
  EXPECT_FALSE(EventFromJson("{\"a\":" + std::string(1'000'000, '[')).ok());
  // Brackets inside strings do not count.
  EXPECT_TRUE(EventFromJson("{\"a\":\"" + std::string(100, '[') + "\\\"\"}").ok());
}

}  // namespace
}  // namespace vigil
