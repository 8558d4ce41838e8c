// CollectorRegistry: registration by name, duplicates as a startup error, lookup, sorted
// names, field declaration; and what the linked binary actually registered.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "vigil/collector.h"
#include "vigil/config_section.h"
#include "vigil/field.h"

namespace vigil {
namespace {

class NullCollector : public Collector {
 public:
  Status Run(CollectorContext& /*ctx*/) override { return Status::Ok(); }
};

// A factory whose name, description and declared field are set by the test.
class FakeFactory : public CollectorFactory {
 public:
  FakeFactory(std::string name, std::string description = "a fake collector",
              std::string field = "", FieldType type = FieldType::kString)
      : name_(std::move(name)),
        description_(std::move(description)),
        field_(std::move(field)),
        type_(type) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }
  Status DeclareFields(FieldRegistry& fields) const override {
    if (field_.empty()) return Status::Ok();
    auto id = fields.Declare(field_, type_, "declared by " + name_);
    return id.ok() ? Status::Ok() : id.status();
  }
  Result<std::unique_ptr<Collector>> Create(ConfigSection& section,
                                            const CollectorEnv& /*env*/) const override {
    section.Finish();
    return std::unique_ptr<Collector>(std::make_unique<NullCollector>());
  }

 private:
  std::string name_;
  std::string description_;
  std::string field_;
  FieldType type_;
};

TEST(CollectorRegistryTest, AddAndFind) {
  CollectorRegistry reg;
  EXPECT_TRUE(reg.Names().empty());
  EXPECT_EQ(reg.Find("auth"), nullptr);
  EXPECT_TRUE(reg.Add(std::make_unique<FakeFactory>("auth", "sshd and sudo logs")));
  const CollectorFactory* f = reg.Find("auth");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->name(), "auth");
  EXPECT_EQ(f->description(), "sshd and sudo logs");
  EXPECT_EQ(reg.Find("Auth"), nullptr);  // exact, case-sensitive
  EXPECT_EQ(reg.Find("aut"), nullptr);
  EXPECT_EQ(reg.Find(""), nullptr);
  EXPECT_TRUE(reg.Validate().ok());
}

TEST(CollectorRegistryTest, DuplicateNameIsRefusedAndFailsValidate) {
  CollectorRegistry reg;
  ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>("pcap", "first")));
  EXPECT_TRUE(reg.Add(std::make_unique<FakeFactory>("journal")));
  EXPECT_FALSE(reg.Add(std::make_unique<FakeFactory>("pcap", "second")));

  // The first registration stays in place.
  ASSERT_NE(reg.Find("pcap"), nullptr);
  EXPECT_EQ(reg.Find("pcap")->description(), "first");
  EXPECT_EQ(reg.Names(), (std::vector<std::string>{"journal", "pcap"}));

  Status s = reg.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("pcap"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("journal"), std::string::npos) << s.message();
}

TEST(CollectorRegistryTest, ValidateNamesEveryDuplicate) {
  CollectorRegistry reg;
  ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>("a")));
  ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>("b")));
  EXPECT_FALSE(reg.Add(std::make_unique<FakeFactory>("a")));
  EXPECT_FALSE(reg.Add(std::make_unique<FakeFactory>("b")));
  Status s = reg.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("a"), std::string::npos);
  EXPECT_NE(s.message().find("b"), std::string::npos);
}

TEST(CollectorRegistryTest, NamesAreSorted) {
  CollectorRegistry reg;
  for (const char* name : {"retention", "access", "network", "jsonl", "journal"}) {
    ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>(name)));
  }
  EXPECT_EQ(reg.Names(),
            (std::vector<std::string>{"access", "journal", "jsonl", "network", "retention"}));
}

TEST(CollectorRegistryTest, CreateThroughFactory) {
  CollectorRegistry reg;
  ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>("null")));
  Diagnostics diags;
  ConfigSection section(YAML::Load("{}"), "vigil.yaml", diags);
  CollectorEnv env;
  env.instance = "null";
  auto collector = reg.Find("null")->Create(section, env);
  ASSERT_TRUE(collector.ok()) << collector.status().ToString();
  EXPECT_NE(collector->get(), nullptr);
}

TEST(CollectorRegistryTest, DeclareAllFields) {
  CollectorRegistry reg;
  ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>("retention", "", "vigil.retention.policy")));
  ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>("access", "", "vigil.access.method")));
  ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>("quiet")));  // declares nothing
  FieldRegistry fields;
  size_t before = fields.size();
  ASSERT_TRUE(reg.DeclareAllFields(fields).ok());
  EXPECT_EQ(fields.size(), before + 2);
  EXPECT_TRUE(fields.Find("vigil.retention.policy").has_value());
  EXPECT_TRUE(fields.Find("vigil.access.method").has_value());
  // Declaring again is harmless (same names, same types).
  ASSERT_TRUE(reg.DeclareAllFields(fields).ok());
  EXPECT_EQ(fields.size(), before + 2);
}

TEST(CollectorRegistryTest, DeclareAllFieldsPropagatesErrorWithCollectorName) {
  CollectorRegistry reg;
  ASSERT_TRUE(reg.Add(std::make_unique<FakeFactory>("alpha", "", "vigil.shared", FieldType::kInt)));
  ASSERT_TRUE(
      reg.Add(std::make_unique<FakeFactory>("beta", "", "vigil.shared", FieldType::kString)));
  FieldRegistry fields;
  Status s = reg.DeclareAllFields(fields);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  // Factories are visited in name order, so "beta" is the one that clashes.
  EXPECT_NE(s.message().find("collector 'beta'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("vigil.shared"), std::string::npos) << s.message();

  CollectorRegistry bad_name;
  ASSERT_TRUE(bad_name.Add(std::make_unique<FakeFactory>("gamma", "", "not a field name")));
  Status s2 = bad_name.DeclareAllFields(fields);
  ASSERT_FALSE(s2.ok());
  EXPECT_NE(s2.message().find("collector 'gamma'"), std::string::npos) << s2.message();

  // A clash with an ECS field is caught the same way.
  CollectorRegistry ecs_clash;
  ASSERT_TRUE(ecs_clash.Add(std::make_unique<FakeFactory>("delta", "", "source.ip")));
  EXPECT_FALSE(ecs_clash.DeclareAllFields(fields).ok());
}

// The one-line registration, into the global registry of this test binary.
class RegistryTestFactory : public FakeFactory {
 public:
  RegistryTestFactory() : FakeFactory("registry_test_fake", "registered by the test") {}
};
VIGIL_REGISTER_COLLECTOR(RegistryTestFactory);

// What the linked collector libraries registered. Printed so that a run shows the list.
TEST(GlobalCollectorRegistryTest, ListsRegisteredCollectors) {
  const CollectorRegistry& reg = CollectorRegistry::Global();
  std::vector<std::string> names = reg.Names();
  std::cout << "registered collectors (" << names.size() << "):\n";
  for (const std::string& name : names) {
    const CollectorFactory* f = reg.Find(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->name(), name);
    std::cout << "  " << name << " — " << f->description() << "\n";
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  auto has = [&](const std::string& n) {
    return std::find(names.begin(), names.end(), n) != names.end();
  };
  EXPECT_TRUE(has("registry_test_fake"));
  EXPECT_TRUE(has("jsonl")) << "the jsonl collector is not linked into this binary";
}

TEST(GlobalCollectorRegistryTest, ValidateAndDeclareFields) {
  Status s = CollectorRegistry::Global().Validate();
  EXPECT_TRUE(s.ok()) << s.ToString();
  // Every registered collector's fields fit together in a fresh registry.
  FieldRegistry fields;
  Status d = CollectorRegistry::Global().DeclareAllFields(fields);
  EXPECT_TRUE(d.ok()) << d.ToString();
}

}  // namespace
}  // namespace vigil
