// Event: typed field values keyed by field id, replacement, erasure, typed getters,
// @timestamp, and the verbatim extras kept for undeclared fields.
#include "vigil/event.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

namespace vigil {
namespace {

using std::chrono::nanoseconds;

// ECS has no double or bool field; declare two in the global registry (Event::Set checks
// types against it).
FieldId DoubleField() {
  static const FieldId id =
      *FieldRegistry::Global().Declare("vigil.test.ratio", FieldType::kDouble);
  return id;
}
FieldId BoolField() {
  static const FieldId id = *FieldRegistry::Global().Declare("vigil.test.flag", FieldType::kBool);
  return id;
}

Timestamp At(int64_t ns_since_epoch) { return Timestamp(nanoseconds(ns_since_epoch)); }

TEST(EventTest, EmptyEvent) {
  Event e;
  EXPECT_EQ(e.size(), 0u);
  EXPECT_TRUE(e.fields().empty());
  EXPECT_TRUE(e.extras().empty());
  EXPECT_EQ(e.Get(ecs::kMessage), nullptr);
  EXPECT_FALSE(e.Has(ecs::kMessage));
  EXPECT_EQ(e.GetString(ecs::kMessage), nullptr);
  EXPECT_EQ(e.time(), Timestamp{});
  EXPECT_EQ(e.time().time_since_epoch().count(), 0);
}

TEST(EventTest, StringField) {
  Event e;
  e.Set(ecs::kUserName, std::string("alice"));
  ASSERT_TRUE(e.Has(ecs::kUserName));
  ASSERT_NE(e.GetString(ecs::kUserName), nullptr);
  EXPECT_EQ(*e.GetString(ecs::kUserName), "alice");
  const Value* v = e.Get(ecs::kUserName);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(ValueType(*v), FieldType::kString);
  EXPECT_EQ(std::get<std::string>(*v), "alice");
}

TEST(EventTest, IntField) {
  Event e;
  e.Set(ecs::kSourcePort, int64_t{52022});
  ASSERT_NE(e.GetInt(ecs::kSourcePort), nullptr);
  EXPECT_EQ(*e.GetInt(ecs::kSourcePort), 52022);
  e.Set(ecs::kFileSize, int64_t{-1});
  EXPECT_EQ(*e.GetInt(ecs::kFileSize), -1);
  e.Set(ecs::kSourceBytes, INT64_MAX);
  EXPECT_EQ(*e.GetInt(ecs::kSourceBytes), INT64_MAX);
  EXPECT_EQ(ValueType(*e.Get(ecs::kSourcePort)), FieldType::kInt);
}

TEST(EventTest, DoubleAndBoolFields) {
  Event e;
  e.Set(DoubleField(), 0.25);
  e.Set(BoolField(), true);
  ASSERT_NE(e.Get(DoubleField()), nullptr);
  EXPECT_DOUBLE_EQ(std::get<double>(*e.Get(DoubleField())), 0.25);
  EXPECT_EQ(ValueType(*e.Get(DoubleField())), FieldType::kDouble);
  ASSERT_NE(e.Get(BoolField()), nullptr);
  EXPECT_TRUE(std::get<bool>(*e.Get(BoolField())));
  EXPECT_EQ(ValueType(*e.Get(BoolField())), FieldType::kBool);
  e.Set(BoolField(), false);
  EXPECT_FALSE(std::get<bool>(*e.Get(BoolField())));
}

TEST(EventTest, IpField) {
  Event e;
  e.Set(ecs::kSourceIp, *IpAddress::Parse("203.0.113.9"));
  e.Set(ecs::kDestinationIp, *IpAddress::Parse("2001:db8::5"));
  ASSERT_NE(e.GetIp(ecs::kSourceIp), nullptr);
  EXPECT_EQ(e.GetIp(ecs::kSourceIp)->ToString(), "203.0.113.9");
  EXPECT_TRUE(e.GetIp(ecs::kSourceIp)->is_v4());
  EXPECT_EQ(e.GetIp(ecs::kDestinationIp)->ToString(), "2001:db8::5");
  EXPECT_EQ(ValueType(*e.Get(ecs::kSourceIp)), FieldType::kIp);
}

TEST(EventTest, TimeAndTimestamp) {
  Event e;
  Timestamp t = At(1'795'000'000'123'456'789);
  e.Set(ecs::kTimestamp, t);
  ASSERT_NE(e.GetTime(ecs::kTimestamp), nullptr);
  EXPECT_EQ(*e.GetTime(ecs::kTimestamp), t);
  EXPECT_EQ(e.time(), t);
  EXPECT_EQ(ValueType(*e.Get(ecs::kTimestamp)), FieldType::kTime);

  // Other time fields do not count as @timestamp.
  Event other;
  other.Set(ecs::kEventCreated, t);
  EXPECT_EQ(other.time(), Timestamp{});

  e.Erase(ecs::kTimestamp);
  EXPECT_EQ(e.time(), Timestamp{});
}

TEST(EventTest, DurationField) {
  Event e;
  e.Set(ecs::kEventDuration, Duration(std::chrono::milliseconds(1500)));
  const Value* v = e.Get(ecs::kEventDuration);
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(ValueType(*v), FieldType::kDuration);
  EXPECT_EQ(std::get<Duration>(*v), nanoseconds(1'500'000'000));
}

TEST(EventTest, ListField) {
  Event e;
  e.Set(ecs::kEventCategory, StringList{"authentication", "session"});
  ASSERT_NE(e.GetList(ecs::kEventCategory), nullptr);
  EXPECT_EQ(*e.GetList(ecs::kEventCategory), (StringList{"authentication", "session"}));
  EXPECT_EQ(ValueType(*e.Get(ecs::kEventCategory)), FieldType::kList);
  e.Set(ecs::kEventType, StringList{});
  ASSERT_NE(e.GetList(ecs::kEventType), nullptr);
  EXPECT_TRUE(e.GetList(ecs::kEventType)->empty());
}

TEST(EventTest, TypedGettersReturnNullOnMismatch) {
  Event e;
  e.Set(ecs::kMessage, std::string("Accepted password for alice"));
  e.Set(ecs::kSourcePort, int64_t{22});
  EXPECT_NE(e.GetString(ecs::kMessage), nullptr);
  EXPECT_EQ(e.GetInt(ecs::kMessage), nullptr);
  EXPECT_EQ(e.GetIp(ecs::kMessage), nullptr);
  EXPECT_EQ(e.GetTime(ecs::kMessage), nullptr);
  EXPECT_EQ(e.GetList(ecs::kMessage), nullptr);
  EXPECT_EQ(e.GetString(ecs::kSourcePort), nullptr);
  EXPECT_NE(e.GetInt(ecs::kSourcePort), nullptr);
  // Absent fields give nullptr from every getter.
  EXPECT_EQ(e.GetInt(ecs::kDestinationPort), nullptr);
}

TEST(EventTest, MonostateIsAllowedAndPresent) {
  Event e;
  e.Set(ecs::kSourceIp, std::monostate{});
  EXPECT_TRUE(e.Has(ecs::kSourceIp));
  EXPECT_EQ(e.GetIp(ecs::kSourceIp), nullptr);
  EXPECT_EQ(ValueType(*e.Get(ecs::kSourceIp)), FieldType::kString);
}

TEST(EventTest, SetReplacesInPlace) {
  Event e;
  e.Set(ecs::kHostName, std::string("web-1"));
  e.Set(ecs::kUserName, std::string("alice"));
  e.Set(ecs::kEventOutcome, std::string("failure"));
  e.Set(ecs::kUserName, std::string("bob"));
  EXPECT_EQ(e.size(), 3u);
  EXPECT_EQ(*e.GetString(ecs::kUserName), "bob");
  // Replacement keeps the field's position.
  ASSERT_EQ(e.fields().size(), 3u);
  EXPECT_EQ(e.fields()[0].id, ecs::kHostName);
  EXPECT_EQ(e.fields()[1].id, ecs::kUserName);
  EXPECT_EQ(e.fields()[2].id, ecs::kEventOutcome);

  e.Set(ecs::kSourcePort, int64_t{1});
  e.Set(ecs::kSourcePort, int64_t{2});
  EXPECT_EQ(*e.GetInt(ecs::kSourcePort), 2);
  EXPECT_EQ(e.size(), 4u);
}

TEST(EventTest, EraseRemovesOnlyThatField) {
  Event e;
  e.Set(ecs::kHostName, std::string("web-1"));
  e.Set(ecs::kUserName, std::string("alice"));
  e.Set(ecs::kProcessName, std::string("sshd"));
  e.Erase(ecs::kUserName);
  EXPECT_FALSE(e.Has(ecs::kUserName));
  EXPECT_EQ(e.size(), 2u);
  EXPECT_EQ(e.fields()[0].id, ecs::kHostName);
  EXPECT_EQ(e.fields()[1].id, ecs::kProcessName);

  e.Erase(ecs::kUserName);  // absent: no-op
  e.Erase(ecs::kTags);
  EXPECT_EQ(e.size(), 2u);

  e.Set(ecs::kUserName, std::string("carol"));  // back, at the end
  EXPECT_EQ(e.fields().back().id, ecs::kUserName);
  EXPECT_EQ(*e.GetString(ecs::kUserName), "carol");

  e.Erase(ecs::kHostName);
  e.Erase(ecs::kProcessName);
  e.Erase(ecs::kUserName);
  EXPECT_EQ(e.size(), 0u);
}

TEST(EventTest, Extras) {
  Event e;
  e.extras().push_back({"labels.team", "\"payroll\""});
  e.extras().push_back({"custom.n", "42"});
  const Event& ce = e;
  ASSERT_EQ(ce.extras().size(), 2u);
  EXPECT_EQ(ce.extras()[0].name, "labels.team");
  EXPECT_EQ(ce.extras()[0].json, "\"payroll\"");
  EXPECT_EQ(ce.extras()[1].json, "42");
  // Extras are not fields.
  EXPECT_EQ(e.size(), 0u);
}

TEST(EventTest, CopyAndMoveAreValues) {
  Event e;
  e.Set(ecs::kUserName, std::string("alice"));
  e.extras().push_back({"x", "1"});
  Event copy = e;
  copy.Set(ecs::kUserName, std::string("bob"));
  copy.extras().clear();
  EXPECT_EQ(*e.GetString(ecs::kUserName), "alice");
  EXPECT_EQ(e.extras().size(), 1u);

  Event moved = std::move(e);
  EXPECT_EQ(*moved.GetString(ecs::kUserName), "alice");
  EXPECT_EQ(moved.extras().size(), 1u);
}

TEST(EventTest, ClearEmptiesAndTheNextAddsReuseItsBuffers) {
  const std::string long_text(200, 'm');
  Event e;
  e.AddString(ecs::kMessage, long_text);
  e.AddString(ecs::kUserName, "alice");  // short: held in the string itself
  e.AddList(ecs::kEventCategory, {"authentication"});
  e.Add(ecs::kLogOffset, int64_t{7});
  e.extras().push_back({"x", "1"});
  const char* message_buffer = e.GetString(ecs::kMessage)->data();
  const std::string* list_buffer = e.GetList(ecs::kEventCategory)->data();
  const Event::Field* storage = e.fields().data();

  e.Clear();
  EXPECT_EQ(e.size(), 0u);
  EXPECT_TRUE(e.fields().empty());
  EXPECT_TRUE(e.extras().empty());
  EXPECT_EQ(e.Get(ecs::kMessage), nullptr);
  EXPECT_EQ(e.Get(ecs::kUserName), nullptr);
  EXPECT_EQ(e.Get(ecs::kLogOffset), nullptr);
  EXPECT_EQ(e.Get(ecs::kEventCategory), nullptr);

  // Refilled in the same order (as one builder does), with other values and ids: only the
  // new fields, each in the retired field's buffers.
  e.AddString(ecs::kEventOriginal, "a longer line than a small string holds");
  e.AddString(ecs::kUserName, "bob");
  e.AddList(ecs::kEventType, {"start"});
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e.fields().data(), storage);
  EXPECT_EQ(*e.GetString(ecs::kEventOriginal), "a longer line than a small string holds");
  EXPECT_EQ(*e.GetString(ecs::kUserName), "bob");
  EXPECT_EQ(*e.GetList(ecs::kEventType), (StringList{"start"}));
  EXPECT_EQ(e.GetString(ecs::kEventOriginal)->data(), message_buffer);
  EXPECT_EQ(e.GetList(ecs::kEventType)->data(), list_buffer);
  EXPECT_EQ(e.Get(ecs::kMessage), nullptr);
  EXPECT_EQ(e.Get(ecs::kEventCategory), nullptr);
  EXPECT_EQ(e.Get(ecs::kLogOffset), nullptr);

  // A copy of a cleared-and-refilled event is the live fields only; it compares as a value.
  Event copy = e;
  EXPECT_EQ(copy.size(), 3u);
  EXPECT_EQ(copy.fields().size(), 3u);
  EXPECT_EQ(copy.capacity(), 3u);
  EXPECT_EQ(*copy.GetString(ecs::kEventOriginal), *e.GetString(ecs::kEventOriginal));
}

TEST(EventTest, ARefillInAnotherOrderOrWithOtherTypesHoldsOnlyTheNewValues) {
  Event e;
  e.AddString(ecs::kMessage, std::string(100, 'm'));
  e.AddList(ecs::kRelatedUser, {"alice", "bob", "carol"});
  e.Add(ecs::kSourcePort, int64_t{22});
  e.AddString(ecs::kUserName, "alice");
  e.Clear();
  // Each position now gets a value of another type, and one list shrinks.
  e.Add(ecs::kLogOffset, int64_t{9});
  e.AddString(ecs::kHostName, "web1");
  e.AddList(ecs::kRelatedIp, {"10.0.0.1"});
  e.AddList(ecs::kEventType, {"start", "end"});
  e.AddString(ecs::kProcessName, "sshd");  // past the retired fields: a new one
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(*e.GetInt(ecs::kLogOffset), 9);
  EXPECT_EQ(*e.GetString(ecs::kHostName), "web1");
  EXPECT_EQ(*e.GetList(ecs::kRelatedIp), (StringList{"10.0.0.1"}));
  EXPECT_EQ(*e.GetList(ecs::kEventType), (StringList{"start", "end"}));
  EXPECT_EQ(*e.GetString(ecs::kProcessName), "sshd");
  EXPECT_FALSE(e.Has(ecs::kMessage));
  EXPECT_FALSE(e.Has(ecs::kRelatedUser));
  EXPECT_FALSE(e.Has(ecs::kSourcePort));
  EXPECT_FALSE(e.Has(ecs::kUserName));
}

TEST(EventTest, ClearDropsLargeValuesInsteadOfKeepingThem) {
  Event e;
  e.AddString(ecs::kMessage, std::string(100'000, 'x'));
  e.Clear();
  e.AddString(ecs::kMessage, "short");
  EXPECT_EQ(e.GetString(ecs::kMessage)->capacity(), std::string().capacity());
  Event f;
  f.Set(ecs::kRelatedUser, StringList(100, "u"));
  f.Clear();
  f.AddList(ecs::kRelatedUser, {"a"});
  EXPECT_LT(f.GetList(ecs::kRelatedUser)->capacity(), 100u);
}

TEST(EventTest, EraseKeepsTheOthersInOrderAndRetiresTheField) {
  Event e;
  e.AddString(ecs::kHostName, "h");
  e.AddString(ecs::kUserName, "u");
  e.AddString(ecs::kProcessName, "p");
  e.Erase(ecs::kHostName);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e.fields()[0].id, ecs::kUserName);
  EXPECT_EQ(e.fields()[1].id, ecs::kProcessName);
  EXPECT_FALSE(e.Has(ecs::kHostName));
  EXPECT_EQ(*e.GetString(ecs::kProcessName), "p");
  e.AddString(ecs::kHostName, "h2");  // into the retired field
  EXPECT_EQ(e.size(), 3u);
  EXPECT_EQ(*e.GetString(ecs::kHostName), "h2");
  EXPECT_EQ(Event(e).size(), 3u);
}

TEST(EventTest, AMovedFromEventIsEmptyAndAnAssignedCopyHasOnlyTheLiveFields) {
  Event e;
  e.AddString(ecs::kUserName, "alice");
  Event moved = std::move(e);
  EXPECT_EQ(e.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from events are empty
  EXPECT_EQ(e.Get(ecs::kUserName), nullptr);  // NOLINT(bugprone-use-after-move)
  Event target;
  target.AddString(ecs::kMessage, "m");
  target.AddString(ecs::kHostName, "h");
  target.AddString(ecs::kProcessName, "p");
  target = moved;
  ASSERT_EQ(target.size(), 1u);
  EXPECT_EQ(*target.GetString(ecs::kUserName), "alice");
  EXPECT_FALSE(target.Has(ecs::kMessage));
  EXPECT_FALSE(target.Has(ecs::kProcessName));
}

TEST(EventTest, ClearOfAMovedFromEventIsHarmless) {
  Event e;
  e.AddString(ecs::kMessage, std::string(100, 'x'));
  Event taken = std::move(e);
  e.Clear();  // NOLINT(bugprone-use-after-move): a moved-from event is valid and empty
  EXPECT_EQ(e.size(), 0u);
  e.AddString(ecs::kMessage, "again, long enough to need a heap buffer");
  EXPECT_EQ(*e.GetString(ecs::kMessage), "again, long enough to need a heap buffer");
  EXPECT_EQ(taken.GetString(ecs::kMessage)->size(), 100u);
}

TEST(EventTest, ManyFields) {
  Event e;
  for (FieldId id = 0; id < ecs::kWellKnownCount; ++id) {
    switch (FieldRegistry::Global().Info(id).type) {
      case FieldType::kString:
        e.Set(id, std::string("v") + std::to_string(id));
        break;
      case FieldType::kInt:
        e.Set(id, int64_t{id});
        break;
      case FieldType::kIp:
        e.Set(id, IpAddress::FromV4(id));
        break;
      case FieldType::kTime:
        e.Set(id, At(id));
        break;
      case FieldType::kDuration:
        e.Set(id, Duration(id));
        break;
      case FieldType::kList:
        e.Set(id, StringList{std::to_string(id)});
        break;
      case FieldType::kDouble:
        e.Set(id, double{1.0 * id});
        break;
      case FieldType::kBool:
        e.Set(id, true);
        break;
    }
  }
  EXPECT_EQ(e.size(), size_t{ecs::kWellKnownCount});
  for (FieldId id = 0; id < ecs::kWellKnownCount; ++id) {
    ASSERT_TRUE(e.Has(id)) << id;
    EXPECT_EQ(ValueType(*e.Get(id)), FieldRegistry::Global().Info(id).type) << id;
  }
  EXPECT_EQ(e.time(), At(ecs::kTimestamp));
}

// Add/AddString/AddList append without looking for the field: the result reads exactly as
// the same fields Set one by one, in the same order, and a reserved event does not regrow.
TEST(EventTest, AddAppendsLikeSet) {
  Event added;
  added.Reserve(6);
  const Event::Field* storage = nullptr;
  added.AddString(ecs::kMessage, "a message longer than the small-string buffer");
  storage = added.fields().data();
  added.Add(ecs::kSourcePort, int64_t{22});
  added.AddList(ecs::kEventCategory, {"authentication", "session"});
  added.AddList(ecs::kRelatedUser, {});
  added.Add(ecs::kSourceIp, IpAddress::FromV4(0x0A000001));
  added.AddString(ecs::kUserName, "");
  EXPECT_EQ(added.fields().data(), storage);  // no reallocation within the reserve

  Event set;
  set.Set(ecs::kMessage, std::string("a message longer than the small-string buffer"));
  set.Set(ecs::kSourcePort, int64_t{22});
  set.Set(ecs::kEventCategory, StringList{"authentication", "session"});
  set.Set(ecs::kRelatedUser, StringList{});
  set.Set(ecs::kSourceIp, IpAddress::FromV4(0x0A000001));
  set.Set(ecs::kUserName, std::string());

  ASSERT_EQ(added.size(), set.size());
  for (size_t i = 0; i < set.size(); ++i) {
    EXPECT_EQ(added.fields()[i].id, set.fields()[i].id) << i;
    EXPECT_EQ(added.fields()[i].value, set.fields()[i].value) << i;
  }
  EXPECT_EQ(*added.GetInt(ecs::kSourcePort), 22);
  EXPECT_EQ(*added.GetList(ecs::kEventCategory), (StringList{"authentication", "session"}));
  EXPECT_EQ(*added.GetString(ecs::kUserName), "");
  // Set still finds and replaces what Add appended.
  added.Set(ecs::kSourcePort, int64_t{2222});
  EXPECT_EQ(added.size(), set.size());
  EXPECT_EQ(*added.GetInt(ecs::kSourcePort), 2222);
}

// Past the indexed head of ids (32), Add'ed fields are still found.
TEST(EventTest, AddBeyondIndexedHead) {
  Event e;
  FieldId added = 0;
  for (FieldId id = 0; id < ecs::kWellKnownCount && added < 40; ++id) {
    if (FieldRegistry::Global().Info(id).type != FieldType::kString) continue;
    e.AddString(id, std::to_string(id));
    ++added;
  }
  ASSERT_GT(e.size(), 32u);
  for (const Event::Field& f : e.fields()) {
    ASSERT_NE(e.GetString(f.id), nullptr) << f.id;
    EXPECT_EQ(*e.GetString(f.id), std::to_string(f.id));
  }
}

TEST(ValueTypeTest, MapsEveryAlternative) {
  EXPECT_EQ(ValueType(Value{}), FieldType::kString);
  EXPECT_EQ(ValueType(Value{std::string("s")}), FieldType::kString);
  EXPECT_EQ(ValueType(Value{int64_t{1}}), FieldType::kInt);
  EXPECT_EQ(ValueType(Value{1.5}), FieldType::kDouble);
  EXPECT_EQ(ValueType(Value{false}), FieldType::kBool);
  EXPECT_EQ(ValueType(Value{IpAddress()}), FieldType::kIp);
  EXPECT_EQ(ValueType(Value{Timestamp{}}), FieldType::kTime);
  EXPECT_EQ(ValueType(Value{Duration{}}), FieldType::kDuration);
  EXPECT_EQ(ValueType(Value{StringList{}}), FieldType::kList);
}

}  // namespace
}  // namespace vigil
