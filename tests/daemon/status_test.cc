// Status and Result<T>: codes, messages, errno conversion, move-only values, and the
// VIGIL_RETURN_IF_ERROR propagation macro.
#include "vigil/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vigil {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  struct Case {
    Status status;
    StatusCode code;
    std::string_view name;
  };
  std::vector<Case> cases = {
      {Status::InvalidArgument("m"), StatusCode::kInvalidArgument, "invalid argument"},
      {Status::NotFound("m"), StatusCode::kNotFound, "not found"},
      {Status::AlreadyExists("m"), StatusCode::kAlreadyExists, "already exists"},
      {Status::IoError("m"), StatusCode::kIoError, "I/O error"},
      {Status::ParseError("m"), StatusCode::kParseError, "parse error"},
      {Status::Unavailable("m"), StatusCode::kUnavailable, "unavailable"},
      {Status::FailedPrecondition("m"), StatusCode::kFailedPrecondition, "failed precondition"},
      {Status::Unimplemented("m"), StatusCode::kUnimplemented, "not available yet"},
      {Status::Internal("m"), StatusCode::kInternal, "internal error"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.name));
    EXPECT_FALSE(c.status.ok());
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.message(), "m");
    EXPECT_EQ(StatusCodeName(c.code), c.name);
    EXPECT_EQ(c.status.ToString(), std::string(c.name) + ": m");
  }
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "ok");
}

TEST(StatusTest, ToStringKeepsLocatedMessage) {
  Status s = Status::ParseError("/etc/vigil/vigil.yaml:3:7: expected a map");
  EXPECT_EQ(s.ToString(), "parse error: /etc/vigil/vigil.yaml:3:7: expected a map");
}

TEST(StatusTest, CopyAndAssign) {
  Status a = Status::NotFound("collector 'x'");
  Status b = a;
  EXPECT_EQ(b.code(), StatusCode::kNotFound);
  EXPECT_EQ(b.message(), "collector 'x'");
  b = Status::Ok();
  EXPECT_TRUE(b.ok());
  EXPECT_FALSE(a.ok());  // the copy is independent
}

TEST(StatusTest, FromErrnoIsIoErrorWithStrerror) {
  Status s = Status::FromErrno("open /nonexistent", ENOENT);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), std::string("open /nonexistent: ") + std::strerror(ENOENT));
  EXPECT_EQ(s.ToString(), std::string("I/O error: open /nonexistent: ") + std::strerror(ENOENT));

  Status perm = Status::FromErrno("bind 127.0.0.1:9747", EACCES);
  EXPECT_NE(perm.message().find(std::strerror(EACCES)), std::string::npos);
  EXPECT_EQ(perm.message().rfind("bind 127.0.0.1:9747: ", 0), 0u);
}

TEST(StatusTest, IgnoreErrorCompilesOnTemporaries) {
  Status::Internal("deliberately ignored").IgnoreError();
  SUCCEED();
}

TEST(ResultTest, HoldsValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(r.status().ok());
  r.value() = 7;
  EXPECT_EQ(*r, 7);
}

TEST(ResultTest, HoldsError) {
  Result<int> r = Status::NotFound("no such field 'x.y'");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no such field 'x.y'");
}

TEST(ResultTest, ArrowAndConstAccess) {
  const Result<std::string> r = std::string("hello");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 5u);
  EXPECT_EQ(*r, "hello");
  EXPECT_EQ(r.value(), "hello");
}

TEST(ResultTest, MoveOnlyValue) {
  auto make = [](bool good) -> Result<std::unique_ptr<int>> {
    if (!good) return Status::InvalidArgument("bad");
    return std::make_unique<int>(5);
  };
  Result<std::unique_ptr<int>> r = make(true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(**r, 5);
  std::unique_ptr<int> owned = std::move(r).value();
  ASSERT_NE(owned, nullptr);
  EXPECT_EQ(*owned, 5);

  Result<std::unique_ptr<int>> r2 = make(true);
  std::unique_ptr<int> via_star = *std::move(r2);
  EXPECT_EQ(*via_star, 5);

  Result<std::unique_ptr<int>> bad = make(false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);

  // The Result itself moves.
  Result<std::unique_ptr<int>> r3 = make(true);
  Result<std::unique_ptr<int>> r4 = std::move(r3);
  ASSERT_TRUE(r4.ok());
  EXPECT_EQ(**r4, 5);
}

TEST(ResultTest, ValueOfVector) {
  Result<std::vector<int>> r = std::vector<int>{1, 2, 3};
  ASSERT_TRUE(r.ok());
  r->push_back(4);
  EXPECT_EQ(r->size(), 4u);
  std::vector<int> v = std::move(r).value();
  EXPECT_EQ(v, (std::vector<int>{1, 2, 3, 4}));
}

#ifdef NDEBUG
// In release builds an ok Status is turned into an internal error instead of asserting,
// so a Result never claims to have neither value nor error.
TEST(ResultTest, OkStatusBecomesInternalInRelease) {
  Result<int> r = Status::Ok();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}
#endif

// VIGIL_RETURN_IF_ERROR

int g_steps = 0;

Status Step(bool fail) {
  ++g_steps;
  return fail ? Status::IoError("step failed") : Status::Ok();
}

Status TwoSteps(bool first_fails, bool second_fails) {
  VIGIL_RETURN_IF_ERROR(Step(first_fails));
  VIGIL_RETURN_IF_ERROR(Step(second_fails));
  return Status::Ok();
}

TEST(ReturnIfErrorTest, PropagatesFirstError) {
  g_steps = 0;
  Status s = TwoSteps(true, false);
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "step failed");
  EXPECT_EQ(g_steps, 1);  // the second step never ran
}

TEST(ReturnIfErrorTest, ContinuesOnOk) {
  g_steps = 0;
  EXPECT_TRUE(TwoSteps(false, false).ok());
  EXPECT_EQ(g_steps, 2);
  g_steps = 0;
  EXPECT_EQ(TwoSteps(false, true).code(), StatusCode::kIoError);
  EXPECT_EQ(g_steps, 2);
}

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("not positive");
  VIGIL_RETURN_IF_ERROR(Status::Ok());
  return v;
}

Result<int> Doubled(int v) {
  // The macro also works inside functions that return Result<T>.
  VIGIL_RETURN_IF_ERROR(v > 100 ? Status::InvalidArgument("too big") : Status::Ok());
  Result<int> p = ParsePositive(v);
  if (!p.ok()) return p.status();
  return *p * 2;
}

TEST(ReturnIfErrorTest, WorksInResultFunctions) {
  Result<int> good = Doubled(4);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 8);
  EXPECT_EQ(Doubled(-1).status().message(), "not positive");
  EXPECT_EQ(Doubled(101).status().message(), "too big");
}

TEST(ReturnIfErrorTest, EvaluatesExpressionOnce) {
  g_steps = 0;
  auto once = []() -> Status {
    VIGIL_RETURN_IF_ERROR(Step(false));
    return Status::Ok();
  };
  EXPECT_TRUE(once().ok());
  EXPECT_EQ(g_steps, 1);
}

TEST(ReturnIfErrorTest, UsableWithoutBracesInIf) {
  auto f = [](bool fail) -> Status {
    if (fail)
      VIGIL_RETURN_IF_ERROR(Status::Unavailable("queue closed"));
    else
      return Status::NotFound("else branch");
    return Status::Ok();
  };
  EXPECT_EQ(f(true).code(), StatusCode::kUnavailable);
  EXPECT_EQ(f(false).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil
