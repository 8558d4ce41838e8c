// YamlToEvent: an event written as a YAML map in a rule's inline test, converted to an
// Event through its JSON form (event_json.h), so tests read events exactly as the jsonl
// collector does. Plain scalars that look like booleans, integers or numbers become JSON
// booleans and numbers; quoted scalars stay strings. A string scalar is read as JSON text.
// Bounded: at most kMaxYamlEventNodes nodes (alias bombs) and kMaxJsonDepth levels.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "vigil/event.h"
#include "vigil/status.h"

namespace vigil::rules {

inline constexpr size_t kMaxYamlEventNodes = 10000;

Result<Event> YamlToEvent(const YAML::Node& node);

}  // namespace vigil::rules
