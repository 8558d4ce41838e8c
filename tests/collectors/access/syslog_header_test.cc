#include "syslog_header.h"

#include <gtest/gtest.h>

#include "vigil/time_format.h"

namespace vigil::access {
namespace {

Timestamp T(const char* text) { return *ParseRfc3339(text); }

YearInference Ref(const char* text) { return YearInference(T(text), std::chrono::seconds(0)); }

TEST(SyslogHeader, Bsd) {
  auto h = ParseSyslogHeader("Feb 25 14:34:10 belka sshd[31602]: Failed password", Ref("2026-03-01T00:00:00Z"));
  ASSERT_TRUE(h);
  EXPECT_EQ(FormatRfc3339(h->time), "2026-02-25T14:34:10Z");
  EXPECT_EQ(h->host, "belka");
  EXPECT_EQ(h->program, "sshd");
  EXPECT_EQ(h->pid, 31602);
  EXPECT_EQ(h->message, "Failed password");
}

TEST(SyslogHeader, SpacePaddedAndUnpaddedDays) {
  const auto ref = Ref("2026-08-01T00:00:00Z");
  auto a = ParseSyslogHeader("Jul  3 14:59:17 host sshd-session[1571]: x", ref);
  ASSERT_TRUE(a);
  EXPECT_EQ(FormatRfc3339(a->time), "2026-07-03T14:59:17Z");
  EXPECT_EQ(a->program, "sshd-session");
  auto b = ParseSyslogHeader("Feb 7 16:01:07 linux-m899 sshd[5106]: y", ref);
  ASSERT_TRUE(b);
  EXPECT_EQ(FormatRfc3339(b->time), "2026-02-07T16:01:07Z");
  auto c = ParseSyslogHeader("Jul 05 18:22:44 mercury sshd[4669]: z", ref);
  ASSERT_TRUE(c);
  EXPECT_EQ(FormatRfc3339(c->time), "2026-07-05T18:22:44Z");
}

TEST(SyslogHeader, NewYear) {
  // A December line read on January 1st belongs to the year before.
  const auto ref = Ref("2026-01-01T00:05:00Z");
  auto h = ParseSyslogHeader("Dec 31 23:59:59 h sshd[1]: m", ref);
  ASSERT_TRUE(h);
  EXPECT_EQ(FormatRfc3339(h->time), "2025-12-31T23:59:59Z");
  auto j = ParseSyslogHeader("Jan  1 00:04:00 h sshd[1]: m", ref);
  ASSERT_TRUE(j);
  EXPECT_EQ(FormatRfc3339(j->time), "2026-01-01T00:04:00Z");
  // Slightly ahead of the reference (clock skew) stays in the same year.
  auto k = ParseSyslogHeader("Jan  2 00:04:00 h sshd[1]: m", ref);
  ASSERT_TRUE(k);
  EXPECT_EQ(FormatRfc3339(k->time), "2026-01-02T00:04:00Z");
}

TEST(SyslogHeader, Feb29) {
  auto leap = ParseSyslogHeader("Feb 29 12:00:00 h su: m", Ref("2024-03-01T00:00:00Z"));
  ASSERT_TRUE(leap);
  EXPECT_EQ(FormatRfc3339(leap->time), "2024-02-29T12:00:00Z");
  // 2025 has no Feb 29: the line is from 2024.
  auto back = ParseSyslogHeader("Feb 29 12:00:00 h su: m", Ref("2025-01-10T00:00:00Z"));
  ASSERT_TRUE(back);
  EXPECT_EQ(FormatRfc3339(back->time), "2024-02-29T12:00:00Z");
  // Neither 2023 nor 2022 has one.
  EXPECT_FALSE(ParseSyslogHeader("Feb 29 12:00:00 h su: m", Ref("2023-01-10T00:00:00Z")));
  EXPECT_FALSE(ParseSyslogHeader("Feb 30 12:00:00 h su: m", Ref("2024-03-10T00:00:00Z")));
}

TEST(SyslogHeader, UtcOffset) {
  YearInference cet(T("2026-06-01T00:00:00Z"), std::chrono::hours(2));
  auto h = ParseSyslogHeader("May 31 10:00:00 h sudo: m", cet);
  ASSERT_TRUE(h);
  EXPECT_EQ(FormatRfc3339(h->time), "2026-05-31T08:00:00Z");
}

TEST(SyslogHeader, OptionalHostPidColon) {
  const auto ref = Ref("2026-12-01T00:00:00Z");
  auto a = ParseSyslogHeader("Nov 23 21:50:19 sshd[8148]: Disconnecting: x", ref);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "");
  EXPECT_EQ(a->program, "sshd");
  EXPECT_EQ(a->pid, 8148);
  auto b = ParseSyslogHeader("Mar  3 00:17:22 [sshd]: User root from 1.2.3.4", ref);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->program, "sshd");
  EXPECT_EQ(b->pid, -1);
  EXPECT_EQ(b->message, "User root from 1.2.3.4");
  auto c = ParseSyslogHeader("Jun 25 23:53:34 [sshd] User root from 1.2.3.4", ref);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->program, "sshd");
  EXPECT_EQ(c->message, "User root from 1.2.3.4");
  auto d = ParseSyslogHeader("Feb  7 15:10:42 example pure-ftpd: (pam_unix) x", ref);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->host, "example");
  EXPECT_EQ(d->program, "pure-ftpd");
  EXPECT_EQ(d->message, "(pam_unix) x");
  auto e = ParseSyslogHeader("Nov 25 17:12:13 webmail pop(pam_unix)[4920]: authentication failure", ref);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->program, "pop(pam_unix)");
  EXPECT_EQ(e->pid, 4920);
}

TEST(SyslogHeader, SolarisMessageId) {
  auto h = ParseSyslogHeader(
      "Mar 29 05:59:23 dusky sshd[20878]: [ID 800047 auth.info] Failed keyboard-interactive",
      Ref("2026-04-01T00:00:00Z"));
  ASSERT_TRUE(h);
  EXPECT_EQ(h->message, "Failed keyboard-interactive");
}

TEST(SyslogHeader, Rfc3339) {
  const auto ref = Ref("2026-01-01T00:00:00Z");
  auto h = ParseSyslogHeader("2015-04-16T18:02:50.321974+00:00 host sshd[2716]: msg", ref);
  ASSERT_TRUE(h);
  EXPECT_EQ(FormatRfc3339(h->time), "2015-04-16T18:02:50.321974Z");
  EXPECT_EQ(h->host, "host");
  EXPECT_EQ(h->pid, 2716);
  auto n = ParseSyslogHeader("2026-03-01T10:00:00.5+0130 host sudo: msg", ref);
  ASSERT_TRUE(n);
  EXPECT_EQ(FormatRfc3339(n->time), "2026-03-01T08:30:00.500Z");
  auto z = ParseSyslogHeader("<86>2026-03-01T10:00:00Z host su: msg", ref);
  ASSERT_TRUE(z);
  EXPECT_EQ(z->program, "su");
  EXPECT_FALSE(ParseSyslogHeader("2026-13-01T10:00:00Z host su: msg", ref));
}

TEST(SyslogHeader, Rfc5424) {
  const auto ref = Ref("2026-01-01T00:00:00Z");
  auto h = ParseSyslogHeader(
      "<38>1 2019-07-08T17:40:16.954167-04:00 hostname.example.com sshd 57915 - - Failed unknown",
      ref);
  ASSERT_TRUE(h);
  EXPECT_EQ(FormatRfc3339(h->time), "2019-07-08T21:40:16.954167Z");
  EXPECT_EQ(h->host, "hostname.example.com");
  EXPECT_EQ(h->program, "sshd");
  EXPECT_EQ(h->pid, 57915);
  EXPECT_EQ(h->message, "Failed unknown");
  auto sd = ParseSyslogHeader(
      R"(<38>1 2019-07-08T17:40:17Z h sshd 5 ID47 [timeQuality tzKnown="1"][x@1 t="[b\]r\"a]"] msg here)",
      ref);
  ASSERT_TRUE(sd);
  EXPECT_EQ(sd->message, "msg here");
  auto nil = ParseSyslogHeader("<38>1 - - sudo - - - m", ref);
  ASSERT_TRUE(nil);
  EXPECT_FALSE(nil->has_time);
  EXPECT_EQ(nil->program, "sudo");
  EXPECT_EQ(nil->pid, -1);
  EXPECT_FALSE(ParseSyslogHeader(R"(<38>1 2019-07-08T17:40:17Z h sshd 5 - [x a="unterminated)", ref));
}

TEST(SyslogHeader, SudoLogFile) {
  const auto ref = Ref("2026-06-01T00:00:00Z");
  auto h = ParseSyslogHeader("Mar  1 10:00:00 : alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id", ref);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->program, "sudo");
  EXPECT_EQ(h->host, "");
  EXPECT_EQ(h->message, "alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id");
  EXPECT_EQ(FormatRfc3339(h->time), "2026-03-01T10:00:00Z");
  auto y = ParseSyslogHeader("Dec 24 10:00:00 2019 : bob : command not allowed ; TTY=pts/1", ref);
  ASSERT_TRUE(y);
  EXPECT_EQ(FormatRfc3339(y->time), "2019-12-24T10:00:00Z");
  EXPECT_EQ(y->message, "bob : command not allowed ; TTY=pts/1");
}

TEST(SyslogHeader, Malformed) {
  const auto ref = Ref("2026-01-01T00:00:00Z");
  for (const char* bad : {"", "garbage", "Foo 12 10:00:00 h p: m", "Jan 12 25:00:00 h p: m",
                          "Jan 12 10:00 h p: m", "Jan 12 10:00:00", "<999999>1 x", "\0\0\0"}) {
    EXPECT_FALSE(ParseSyslogHeader(bad, ref)) << bad;
  }
}

TEST(SyslogHeader, HostAndTagOnly) {
  SyslogHeader h;
  ASSERT_TRUE(ParseHostAndTag("srv sshd[13709]: error: PAM: x", &h));
  EXPECT_EQ(h.host, "srv");
  EXPECT_EQ(h.pid, 13709);
  EXPECT_EQ(h.message, "error: PAM: x");
}

}  // namespace
}  // namespace vigil::access
