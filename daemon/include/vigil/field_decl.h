// FieldDecl and DeclareEach: how a collector (or the daemon) declares the fields it adds beyond
// ECS in one table, each entry naming where the field's id goes.
//
//   FooFieldIds ids;
//   const Status declared = DeclareEach(fields, {
//       {&ids.bar, "vigil.foo.bar", FieldType::kString, "What bar is."},
//   });
//   if (!declared.ok()) return declared;
#pragma once

#include <initializer_list>
#include <string_view>

#include "vigil/field.h"
#include "vigil/status.h"

namespace vigil {

struct FieldDecl {
  FieldId* id;  // receives the field's id
  std::string_view name;
  FieldType type;
  std::string_view description;
};

// Declares each field in order (FieldRegistry::Declare) and stores its id; stops at the first
// failure (a name declared before with another type) and returns it.
Status DeclareEach(FieldRegistry& fields, std::initializer_list<FieldDecl> decls);

}  // namespace vigil
