// Helpers for the output tests: alert messages, a metric writer that keeps samples, and
// output environments with short retry waits.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "support/sample_writer.h"
#include "vigil/output.h"
#include "vigil/time_format.h"

namespace vigil::testing {

inline std::shared_ptr<const AlertMessage> MakeMessage(
    uint64_t id, AlertSeverity severity = AlertSeverity::kHigh,
    std::vector<std::string> tags = {"auth"}, std::string rule_id = "ssh_brute_force") {
  auto m = std::make_shared<AlertMessage>();
  m->id = id;
  m->severity = severity;
  m->rule_id = std::move(rule_id);
  m->tags = std::move(tags);
  m->timestamp = *ParseRfc3339("2026-03-01T10:00:00.123456789Z");
  m->host_name = "ledger-01";
  m->json = R"({"@timestamp":"2026-03-01T10:00:00.123456789Z","rule":{"id":")" + m->rule_id +
            R"("},"vigil":{"alert":{"id":)" + std::to_string(id) + R"(},"severity":")" +
            std::string(AlertSeverityName(severity)) + R"("}})";
  m->text = "5 failed logins for root from 203.0.113.9";
  return m;
}

inline OutputEnv TestEnv(std::string name, std::string type = "test") {
  OutputEnv env{std::move(name), std::move(type), {}};
  env.options.retry.attempts = 3;
  env.options.retry.initial = std::chrono::milliseconds(1);
  env.options.retry.max = std::chrono::milliseconds(4);
  return env;
}

}  // namespace vigil::testing
