#include "output_template.h"

#include <charconv>
#include <cstdio>

#include "vigil/time_format.h"

namespace vigil::rules {

std::optional<OutputTemplate> OutputTemplate::Parse(std::string_view text, const FieldRegistry& fields,
                                                    const ScalarLocator& where, Diagnostics& diags) {
  OutputTemplate t;
  Piece cur;
  bool ok = true;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      cur.literal += c;
      i += 2;
      continue;
    }
    if (c == '{') {
      size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        diags.Error(where.At(i), "E205", "'{' without a closing '}' in the output template");
        return std::nullopt;
      }
      std::string name(text.substr(i + 1, close - i - 1));
      size_t a = name.find_first_not_of(' '), b = name.find_last_not_of(' ');
      name = a == std::string::npos ? "" : name.substr(a, b - a + 1);
      std::optional<FieldId> id = fields.Find(name);
      if (!id) {
        diags.Error(where.At(i + 1), "E211", "unknown field '" + name + "' in the output template");
        ok = false;
      }
      cur.field = id;
      t.pieces_.push_back(std::move(cur));
      cur = Piece{};
      i = close + 1;
      continue;
    }
    cur.literal += c;
    ++i;
  }
  if (!cur.literal.empty()) t.pieces_.push_back(std::move(cur));
  if (!ok) return std::nullopt;
  for (const Piece& p : t.pieces_) t.reserve_ += p.literal.size() + (p.field ? 24 : 0);
  return t;
}

void AppendValueText(const Value& value, std::string* out) {
  struct Visitor {
    std::string* out;
    void operator()(std::monostate) const { *out += "<NA>"; }
    void operator()(const std::string& s) const { *out += s; }
    void operator()(int64_t v) const {
      char buf[24];
      *out += std::string_view(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf));
    }
    void operator()(double v) const {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      *out += buf;
    }
    void operator()(bool v) const { *out += v ? "true" : "false"; }
    void operator()(const IpAddress& ip) const { *out += ip.ToString(); }
    void operator()(Timestamp t) const { *out += FormatRfc3339(t); }
    void operator()(Duration d) const {
      (*this)(static_cast<int64_t>(d.count()));
      *out += "ns";
    }
    void operator()(const StringList& l) const {
      for (size_t i = 0; i < l.size(); ++i) {
        if (i > 0) *out += ", ";
        *out += l[i];
      }
    }
  };
  std::visit(Visitor{out}, value);
}

std::string OutputTemplate::Render(const Event& event) const {
  std::string out;
  out.reserve(reserve_);
  for (const Piece& p : pieces_) {
    out += p.literal;
    if (!p.field) continue;
    const Value* v = event.Get(*p.field);
    if (v == nullptr) {
      out += "<NA>";
    } else {
      AppendValueText(*v, &out);
    }
  }
  return out;
}

}  // namespace vigil::rules
