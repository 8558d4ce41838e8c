// FieldRegistry: the ECS table, declaration rules, lookup, capacity and concurrent use.
// Tests that change a registry use a local one; only read-only checks touch Global().
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "vigil/ecs_fields.h"
#include "vigil/field.h"

namespace vigil {
namespace {

struct EcsEntry {
  FieldId id;
  const char* name;
  FieldType type;
};

std::vector<EcsEntry> EcsTable() {
  std::vector<EcsEntry> out;
#define VIGIL_TEST_ECS_ENTRY(constant, name, type, desc) \
  out.push_back({ecs::constant, name, FieldType::type});
  VIGIL_ECS_FIELDS(VIGIL_TEST_ECS_ENTRY)
#undef VIGIL_TEST_ECS_ENTRY
  return out;
}

void ExpectEcsFields(const FieldRegistry& reg) {
  for (const EcsEntry& e : EcsTable()) {
    SCOPED_TRACE(e.name);
    auto id = reg.Find(e.name);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(*id, e.id);
    EXPECT_EQ(reg.Info(e.id).name, e.name);
    EXPECT_EQ(reg.Info(e.id).type, e.type);
    EXPECT_FALSE(reg.Info(e.id).description.empty());
  }
}

TEST(FieldRegistryTest, EcsFieldsPredeclaredInGlobal) {
  const FieldRegistry& reg = FieldRegistry::Global();
  EXPECT_GE(reg.size(), size_t{ecs::kWellKnownCount});
  ExpectEcsFields(reg);
}

TEST(FieldRegistryTest, EcsFieldsPredeclaredInLocal) {
  FieldRegistry reg;
  EXPECT_EQ(reg.size(), size_t{ecs::kWellKnownCount});
  ExpectEcsFields(reg);
}

TEST(FieldRegistryTest, WellKnownTypesSpotCheck) {
  const FieldRegistry& reg = FieldRegistry::Global();
  EXPECT_EQ(ecs::kTimestamp, 0);
  EXPECT_EQ(reg.Info(ecs::kTimestamp).name, "@timestamp");
  EXPECT_EQ(reg.Info(ecs::kTimestamp).type, FieldType::kTime);
  EXPECT_EQ(reg.Info(ecs::kSourceIp).type, FieldType::kIp);
  EXPECT_EQ(reg.Info(ecs::kSourcePort).type, FieldType::kInt);
  EXPECT_EQ(reg.Info(ecs::kEventCategory).type, FieldType::kList);
  EXPECT_EQ(reg.Info(ecs::kEventDuration).type, FieldType::kDuration);
  EXPECT_EQ(reg.Info(ecs::kUserName).type, FieldType::kString);
  EXPECT_EQ(reg.Info(ecs::kObserverName).name, "observer.name");
}

TEST(FieldRegistryTest, EcsNamesAreUnique) {
  std::set<std::string> names;
  for (const EcsEntry& e : EcsTable()) {
    EXPECT_TRUE(names.insert(e.name).second) << "duplicate " << e.name;
  }
  EXPECT_EQ(names.size(), size_t{ecs::kWellKnownCount});
}

TEST(FieldRegistryTest, DeclareNewFieldGetsNextId) {
  FieldRegistry reg;
  auto id = reg.Declare("vigil.retention.policy", FieldType::kString, "Policy class id.");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, ecs::kWellKnownCount);
  EXPECT_EQ(reg.size(), size_t{ecs::kWellKnownCount} + 1);
  const FieldInfo& info = reg.Info(*id);
  EXPECT_EQ(info.name, "vigil.retention.policy");
  EXPECT_EQ(info.type, FieldType::kString);
  EXPECT_EQ(info.description, "Policy class id.");

  auto id2 = reg.Declare("vigil.retention.age", FieldType::kDuration);
  ASSERT_TRUE(id2.ok());
  EXPECT_EQ(*id2, *id + 1);
  EXPECT_EQ(reg.Info(*id2).description, "");
}

TEST(FieldRegistryTest, DeclareIsIdempotentWithSameType) {
  FieldRegistry reg;
  auto a = reg.Declare("vigil.controls", FieldType::kList, "first description");
  ASSERT_TRUE(a.ok());
  size_t size = reg.size();
  auto b = reg.Declare("vigil.controls", FieldType::kList, "another description");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(reg.size(), size);
  EXPECT_EQ(reg.Info(*a).description, "first description");  // the first one wins

  // Re-declaring an ECS field with its own type is fine too.
  auto ip = reg.Declare("source.ip", FieldType::kIp);
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(*ip, ecs::kSourceIp);
  EXPECT_EQ(reg.size(), size);
}

TEST(FieldRegistryTest, DeclareWithDifferentTypeIsError) {
  FieldRegistry reg;
  ASSERT_TRUE(reg.Declare("vigil.score", FieldType::kDouble).ok());
  size_t size = reg.size();
  auto r = reg.Declare("vigil.score", FieldType::kInt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string m = r.status().message();  // status() returns a copy
  EXPECT_NE(m.find("vigil.score"), std::string::npos) << m;
  EXPECT_NE(m.find("double"), std::string::npos) << m;
  EXPECT_NE(m.find("int"), std::string::npos) << m;
  EXPECT_EQ(reg.size(), size);
  EXPECT_EQ(reg.Info(*reg.Find("vigil.score")).type, FieldType::kDouble);

  auto ecs_clash = reg.Declare("source.ip", FieldType::kString);
  ASSERT_FALSE(ecs_clash.ok());
  EXPECT_NE(ecs_clash.status().message().find("ip"), std::string::npos);
}

TEST(FieldRegistryTest, RejectsInvalidNames) {
  FieldRegistry reg;
  size_t size = reg.size();
  const std::vector<std::string> bad = {
      "",          ".",          ".user",
      "user.",     "user..name", "user name",
      "user/name", "user\tname", "user\nname",
      "üser",      "a*b",        std::string("a\0b", 3),
      "{x}",       "a,b",        std::string(129, 'a'),
  };
  for (const std::string& name : bad) {
    auto r = reg.Declare(name, FieldType::kString);
    ASSERT_FALSE(r.ok()) << "'" << name << "'";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(reg.size(), size);

  // Accepted shapes: ECS style, @-prefixed, dashes and underscores, 128 characters.
  for (const std::string& good :
       {std::string("@timestamp2"), std::string("vigil.x_y-z.W9"), std::string(128, 'a')}) {
    EXPECT_TRUE(reg.Declare(good, FieldType::kString).ok()) << good;
  }
}

TEST(FieldRegistryTest, Find) {
  FieldRegistry reg;
  EXPECT_EQ(reg.Find("user.name"), std::optional<FieldId>(ecs::kUserName));
  EXPECT_FALSE(reg.Find("no.such.field").has_value());
  EXPECT_FALSE(reg.Find("").has_value());
  EXPECT_FALSE(reg.Find("USER.NAME").has_value());  // names are case-sensitive
  auto id = reg.Declare("vigil.custom", FieldType::kBool);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(reg.Find("vigil.custom"), std::optional<FieldId>(*id));
  // A local registry does not leak into the global one.
  EXPECT_FALSE(FieldRegistry::Global().Find("vigil.custom").has_value());
}

TEST(FieldRegistryTest, AllIsInIdOrder) {
  FieldRegistry reg;
  ASSERT_TRUE(reg.Declare("vigil.b", FieldType::kInt).ok());
  ASSERT_TRUE(reg.Declare("vigil.a", FieldType::kInt).ok());
  std::vector<const FieldInfo*> all = reg.All();
  ASSERT_EQ(all.size(), reg.size());
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_NE(all[i], nullptr);
    EXPECT_EQ(all[i], &reg.Info(static_cast<FieldId>(i)));
    EXPECT_EQ(reg.Find(all[i]->name), std::optional<FieldId>(static_cast<FieldId>(i)));
  }
  EXPECT_EQ(all.front()->name, "@timestamp");
  EXPECT_EQ(all[all.size() - 2]->name, "vigil.b");  // declaration order, not name order
  EXPECT_EQ(all.back()->name, "vigil.a");
}

TEST(FieldRegistryTest, CapacityLimitIsAnError) {
  FieldRegistry reg;
  size_t free_slots = FieldRegistry::kMaxFields - reg.size();
  for (size_t i = 0; i < free_slots; ++i) {
    auto r = reg.Declare("vigil.fill." + std::to_string(i), FieldType::kInt);
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().ToString();
  }
  EXPECT_EQ(reg.size(), FieldRegistry::kMaxFields);

  auto over = reg.Declare("vigil.one_too_many", FieldType::kInt);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reg.size(), FieldRegistry::kMaxFields);
  EXPECT_FALSE(reg.Find("vigil.one_too_many").has_value());

  // Existing names still resolve (and re-declare) when the registry is full.
  auto again = reg.Declare("vigil.fill.0", FieldType::kInt);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, ecs::kWellKnownCount);
  EXPECT_EQ(reg.Info(FieldRegistry::kMaxFields - 1).name,
            "vigil.fill." + std::to_string(free_slots - 1));
  EXPECT_EQ(reg.All().size(), FieldRegistry::kMaxFields);
}

TEST(FieldRegistryTest, ConcurrentDeclareGivesConsistentIds) {
  FieldRegistry reg;
  constexpr int kThreads = 4;
  constexpr int kNames = 500;
  std::vector<std::vector<FieldId>> ids(kThreads, std::vector<FieldId>(kNames));
  std::atomic<int> failures{0};
  std::atomic<bool> go{false};
  std::atomic<bool> writers_done{false};

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      for (int k = 0; k < kNames; ++k) {
        // Each thread walks the names in a different order to maximise races.
        int i = (t % 2 == 0) ? k : kNames - 1 - k;
        auto r = reg.Declare("vigil.concurrent." + std::to_string(i), FieldType::kString);
        if (!r.ok()) {
          failures.fetch_add(1);
          continue;
        }
        ids[t][i] = *r;
      }
    });
  }
  // A lock-free reader alongside: every published id has a complete entry.
  std::thread reader([&] {
    while (!go.load()) std::this_thread::yield();
    while (!writers_done.load()) {
      for (const FieldInfo* info : reg.All()) {
        if (info == nullptr || info->name.empty()) failures.fetch_add(1);
      }
    }
  });
  go.store(true);
  for (auto& th : threads) th.join();
  writers_done.store(true);
  reader.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(reg.size(), size_t{ecs::kWellKnownCount} + kNames);
  std::set<FieldId> distinct;
  for (int i = 0; i < kNames; ++i) {
    for (int t = 1; t < kThreads; ++t) EXPECT_EQ(ids[t][i], ids[0][i]) << "name " << i;
    distinct.insert(ids[0][i]);
    EXPECT_GE(ids[0][i], ecs::kWellKnownCount);
    EXPECT_EQ(reg.Info(ids[0][i]).name, "vigil.concurrent." + std::to_string(i));
  }
  EXPECT_EQ(distinct.size(), size_t{kNames});
}

TEST(FieldTypeTest, NamesRoundTrip) {
  for (FieldType t : {FieldType::kString, FieldType::kInt, FieldType::kDouble, FieldType::kBool,
                      FieldType::kIp, FieldType::kTime, FieldType::kDuration, FieldType::kList}) {
    auto parsed = ParseFieldType(FieldTypeName(t));
    ASSERT_TRUE(parsed.has_value()) << FieldTypeName(t);
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_EQ(FieldTypeName(FieldType::kIp), "ip");
  EXPECT_EQ(FieldTypeName(FieldType::kDuration), "duration");
  EXPECT_FALSE(ParseFieldType("").has_value());
  EXPECT_FALSE(ParseFieldType("String").has_value());
  EXPECT_FALSE(ParseFieldType("integer").has_value());
}

}  // namespace
}  // namespace vigil
