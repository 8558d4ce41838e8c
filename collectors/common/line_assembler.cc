#include "line_assembler.h"

namespace vigil {

void LineAssembler::Reset(uint64_t offset) {
  pending_.clear();
  discarding_ = false;
  read_end_ = complete_end_ = pending_start_ = offset;
}

bool LineAssembler::Feed(std::string_view data, LineConsumer& consumer) {
  const uint64_t base = read_end_;
  size_t i = 0;
  while (i < data.size()) {
    const size_t nl = data.find('\n', i);
    const bool complete = nl != std::string_view::npos;
    const size_t end = complete ? nl : data.size();
    const std::string_view piece = data.substr(i, end - i);
    const bool fresh = pending_.empty() && !discarding_;
    if (fresh) pending_start_ = base + i;
    if (!discarding_ && pending_.size() + piece.size() > max_) {
      consumer.Overlong(pending_start_);
      discarding_ = true;
      pending_.clear();
      pending_.shrink_to_fit();
    }
    i = complete ? nl + 1 : data.size();
    if (!complete) {
      if (!discarding_) pending_.append(piece);
      break;
    }
    bool go_on = true;
    if (!discarding_) {
      ++lines_;
      if (fresh) {
        go_on = consumer.Line(piece, pending_start_);  // the common case: no copy
      } else {
        pending_.append(piece);
        go_on = consumer.Line(pending_, pending_start_);
      }
    }
    pending_.clear();
    discarding_ = false;
    complete_end_ = base + i;
    if (!go_on) {
      read_end_ = complete_end_;
      return false;
    }
  }
  read_end_ = base + data.size();
  return true;
}

bool LineAssembler::Finish(LineConsumer& consumer) {
  bool go_on = true;
  if (!discarding_ && !pending_.empty()) {
    ++lines_;
    go_on = consumer.Line(pending_, pending_start_);
  }
  pending_.clear();
  discarding_ = false;
  complete_end_ = read_end_;
  return go_on;
}

}  // namespace vigil
