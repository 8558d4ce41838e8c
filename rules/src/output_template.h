// OutputTemplate: a rule's `output:` text with `{field.name}` placeholders, parsed once at
// load. `{{` and `}}` write literal braces. A placeholder naming an undeclared field is a
// load error (E211) located at the placeholder; an unclosed `{` is E205. Rendering writes
// each value as text (time as RFC 3339, list elements joined by ", ", duration in
// nanoseconds with "ns") and `<NA>` for a field the event does not have.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scalar_location.h"
#include "vigil/diagnostic.h"
#include "vigil/event.h"
#include "vigil/field.h"

namespace vigil::rules {

class OutputTemplate {
 public:
  static std::optional<OutputTemplate> Parse(std::string_view text, const FieldRegistry& fields,
                                             const ScalarLocator& where, Diagnostics& diags);
  std::string Render(const Event& event) const;

 private:
  struct Piece {
    std::string literal;  // written before the field
    std::optional<FieldId> field;
  };
  std::vector<Piece> pieces_;
  size_t reserve_ = 0;  // the literals' length and a guess for each value: one allocation, mostly
};

// One value as text, as Render writes it.
void AppendValueText(const Value& value, std::string* out);

}  // namespace vigil::rules
