// FactoryRegistry: factories registered by name at static-initialisation time, the shape
// shared by the collector and output registries (collector.h, output.h).
//
// Registering a name twice keeps the first factory and remembers the name, so that
// Validate(), which the daemon calls first thing, fails instead of a type silently
// shadowing another. Registration happens before main(); afterwards the registry is only
// read, from any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/names.h"
#include "vigil/status.h"

namespace vigil {

template <typename Factory>
class FactoryRegistry {
 public:
  // `kind` names the factories in messages ("collector", "output").
  explicit FactoryRegistry(std::string_view kind) : kind_(kind) {}

  // Adds a factory. A duplicate name is kept out and remembered, so that Validate() fails.
  // Returns true so that it can initialise a static (the VIGIL_REGISTER_* macros).
  bool Add(std::unique_ptr<Factory> factory) {
    std::string name(factory->name());
    if (factories_.count(name) != 0) {
      duplicates_.push_back(name);
      return false;
    }
    factories_.emplace(std::move(name), std::move(factory));
    return true;
  }
  // Fails if any name was registered twice.
  Status Validate() const {
    if (duplicates_.empty()) return Status::Ok();
    return Status::AlreadyExists(kind_ + " type registered more than once: " + JoinNames(duplicates_));
  }
  const Factory* Find(std::string_view name) const {
    auto it = factories_.find(name);
    return it == factories_.end() ? nullptr : it->second.get();
  }
  std::vector<std::string> Names() const {  // sorted
    std::vector<std::string> out;
    for (const auto& [name, f] : factories_) out.push_back(name);
    return out;
  }

 protected:
  const std::map<std::string, std::unique_ptr<Factory>, std::less<>>& factories() const { return factories_; }

 private:
  std::string kind_;
  std::map<std::string, std::unique_ptr<Factory>, std::less<>> factories_;
  std::vector<std::string> duplicates_;
};

}  // namespace vigil
