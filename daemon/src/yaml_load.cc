#include "vigil/yaml_load.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <sstream>

namespace vigil {
namespace {

class ShapeCheck : public YAML::EventHandler {
 public:
  struct Refused {
    YAML::Mark mark;
    std::string message;
  };
  using Mark = YAML::Mark;
  using Style = YAML::EmitterStyle::value;

  explicit ShapeCheck(const YamlLimits& limits) : limits_(limits) {}

  void OnDocumentStart(const Mark& m) override {
    if (++documents_ > 1) {
      throw Refused{m, "a " + std::string(limits_.what) + " file holds one YAML document; found a second"};
    }
  }
  void OnDocumentEnd() override {}
  void OnNull(const Mark& m, YAML::anchor_t) override { Count(m); }
  void OnAlias(const Mark& m, YAML::anchor_t) override { Count(m); }
  void OnScalar(const Mark& m, const std::string&, YAML::anchor_t, const std::string&) override {
    Count(m);
  }
  void OnSequenceStart(const Mark& m, const std::string&, YAML::anchor_t, Style) override {
    Open(m);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const Mark& m, const std::string&, YAML::anchor_t, Style) override { Open(m); }
  void OnMapEnd() override { --depth_; }

 private:
  void Count(const Mark& m) {
    if (++nodes_ > limits_.max_nodes) {
      throw Refused{m, std::string(limits_.what) + " file too complex: more than " +
                           std::to_string(limits_.max_nodes) + " YAML nodes"};
    }
  }
  void Open(const Mark& m) {
    Count(m);
    if (++depth_ > limits_.max_depth) {
      throw Refused{m, std::string(limits_.what) + " nested too deeply: more than " +
                           std::to_string(limits_.max_depth) + " levels"};
    }
  }

  const YamlLimits& limits_;
  size_t documents_ = 0;
  size_t nodes_ = 0;
  int depth_ = 0;
};

}  // namespace

SourceLocation MarkLocation(const std::string& file, const YAML::Mark& m) {
  SourceLocation loc{file, 0, 0};
  if (m.line >= 0 && m.column >= 0) {
    loc.line = m.line + 1;
    loc.column = m.column + 1;
  }
  return loc;
}

std::optional<YAML::Node> LoadBoundedYaml(std::string_view text, const std::string& name,
                                          const YamlLimits& limits, Diagnostics& diags) {
  const SourceLocation file_loc{name, 0, 0};
  const std::string code(limits.limit_code);
  const std::string what(limits.what);
  if (text.size() > limits.max_bytes) {
    diags.Error(file_loc, code,
                what + " file too large: over the limit of " + std::to_string(limits.max_bytes >> 20) + " MiB");
    return std::nullopt;
  }
  if (static_cast<size_t>(std::count(text.begin(), text.end(), ',')) > limits.max_flow_separators) {
    diags.Error(file_loc, code,
                what + " file too complex: more than " + std::to_string(limits.max_flow_separators) + " commas");
    return std::nullopt;
  }
  const std::string buffer(text);
  try {
    {
      std::istringstream in(buffer);
      YAML::Parser parser(in);
      ShapeCheck shape(limits);
      while (parser.HandleNextDocument(shape)) {
      }
    }
    return YAML::Load(buffer);
  } catch (const ShapeCheck::Refused& e) {
    diags.Error(MarkLocation(name, e.mark), code, e.message);
  } catch (const YAML::Exception& e) {
    diags.Error(MarkLocation(name, e.mark), "E100", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    diags.Error(file_loc, "E100", std::string("cannot parse YAML: ") + e.what());
  }
  return std::nullopt;
}

}  // namespace vigil
