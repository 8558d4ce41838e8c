#include "vigil/yaml_load.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "vigil/read_file.h"

namespace vigil {
namespace {

// Counts the nodes of one document as the parser reports them, and the nodes they would be
// with every alias replaced by what it names; throws Refused past a limit.
class ShapeCheck : public YAML::EventHandler {
 public:
  struct Refused {
    YAML::Mark mark;
    std::string message;
  };
  using Mark = YAML::Mark;
  using Style = YAML::EmitterStyle::value;

  ShapeCheck(const YamlLimits& limits, size_t* nodes, size_t* expanded)
      : limits_(limits), nodes_(*nodes), expanded_(*expanded) {}

  void OnDocumentStart(const Mark& m) override {
    if (++documents_ > 1) {
      throw Refused{m, "a " + std::string(limits_.what) + " file holds one YAML document; found a second"};
    }
  }
  void OnDocumentEnd() override {}
  void OnNull(const Mark& m, YAML::anchor_t anchor) override { Leaf(m, anchor); }
  void OnAlias(const Mark& m, YAML::anchor_t anchor) override {
    Count(m, 1);
    auto it = sizes_.find(anchor);
    // An alias inside the collection it names (still open) counts as one node.
    if (it != sizes_.end()) Expand(m, it->second - 1);
  }
  void OnScalar(const Mark& m, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    Leaf(m, anchor);
  }
  void OnSequenceStart(const Mark& m, const std::string&, YAML::anchor_t anchor, Style) override {
    Open(m, anchor);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const Mark& m, const std::string&, YAML::anchor_t anchor, Style) override { Open(m, anchor); }
  void OnMapEnd() override { Close(); }

 private:
  struct OpenCollection {
    YAML::anchor_t anchor;
    size_t expanded_before;
  };

  void Count(const Mark& m, size_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes) {
      throw Refused{m, std::string(limits_.what) + " file too complex: more than " +
                           std::to_string(limits_.max_nodes) + " YAML nodes"};
    }
    Expand(m, n);
  }
  void Expand(const Mark& m, size_t n) {
    expanded_ += n;
    if (expanded_ > limits_.max_nodes) {
      throw Refused{m, std::string(limits_.what) + " file too complex: more than " +
                           std::to_string(limits_.max_nodes) + " YAML nodes once aliases are expanded"};
    }
  }
  void Leaf(const Mark& m, YAML::anchor_t anchor) {
    Count(m, 1);
    if (anchor != YAML::NullAnchor) sizes_[anchor] = 1;
  }
  void Open(const Mark& m, YAML::anchor_t anchor) {
    Count(m, 1);
    if (static_cast<int>(open_.size()) >= limits_.max_depth) {
      throw Refused{m, std::string(limits_.what) + " nested too deeply: more than " +
                           std::to_string(limits_.max_depth) + " levels"};
    }
    open_.push_back({anchor, expanded_ - 1});
  }
  void Close() {
    if (open_.empty()) return;
    const OpenCollection c = open_.back();
    open_.pop_back();
    if (c.anchor != YAML::NullAnchor) sizes_[c.anchor] = expanded_ - c.expanded_before;
  }

  const YamlLimits& limits_;
  size_t& nodes_;
  size_t& expanded_;
  size_t documents_ = 0;
  std::vector<OpenCollection> open_;
  std::unordered_map<YAML::anchor_t, size_t> sizes_;  // anchor -> nodes it stands for
};

}  // namespace

SourceLocation MarkLocation(const std::string& file, const YAML::Mark& m, int line_offset) {
  SourceLocation loc{file, 0, 0};
  if (m.line >= 0 && m.column >= 0) {
    loc.line = m.line + 1 + line_offset;
    loc.column = m.column + 1;
  }
  return loc;
}

std::optional<YAML::Node> BoundedYamlLoader::Load(std::string_view text, int first_line) {
  const SourceLocation file_loc{name_, 0, 0};
  const std::string code(limits_.limit_code);
  const std::string what(limits_.what);
  if (text.size() > limits_.max_bytes) {
    diags_.Error(file_loc, code,
                 what + " file too large: over the limit of " + SizeLimitText(limits_.max_bytes));
    return std::nullopt;
  }
  if (static_cast<size_t>(std::count(text.begin(), text.end(), ',')) > limits_.max_flow_separators) {
    diags_.Error(first_line == 0 ? file_loc : SourceLocation{name_, first_line + 1, 1}, code,
                 what + " file too complex: more than " + std::to_string(limits_.max_flow_separators) +
                     " commas in one YAML document");
    return std::nullopt;
  }
  const std::string buffer(text);
  try {
    {
      std::istringstream in(buffer);
      YAML::Parser parser(in);
      ShapeCheck shape(limits_, &nodes_, &expanded_);
      // The first document, then whether there is a second (refused). Not a loop until the
      // end: on some malformed input yaml-cpp 0.7 keeps returning true (as in YAML::LoadAll).
      if (parser.HandleNextDocument(shape)) (void)parser.HandleNextDocument(shape);
    }
    return YAML::Load(buffer);
  } catch (const ShapeCheck::Refused& e) {
    diags_.Error(MarkLocation(name_, e.mark, first_line), code, e.message);
  } catch (const YAML::Exception& e) {
    diags_.Error(MarkLocation(name_, e.mark, first_line), std::string(limits_.syntax_code),
                 "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    diags_.Error(file_loc, std::string(limits_.syntax_code), std::string("cannot parse YAML: ") + e.what());
  }
  return std::nullopt;
}

std::optional<YAML::Node> LoadBoundedYaml(std::string_view text, const std::string& name,
                                          const YamlLimits& limits, Diagnostics& diags) {
  return BoundedYamlLoader(name, limits, diags).Load(text);
}

}  // namespace vigil
