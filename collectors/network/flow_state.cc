#include "flow_state.h"

#include <cctype>

namespace vigil::network {
namespace {

constexpr char kLetters[] = "SHADFR";
constexpr int kLetterCount = 6;

int LetterIndex(char letter) {
  for (int i = 0; i < kLetterCount; ++i) {
    if (kLetters[i] == letter) return i;
  }
  return -1;
}

void Append(Flow& flow, bool from_orig, char letter) {
  const int index = LetterIndex(letter);
  const uint16_t bit = static_cast<uint16_t>(1u << (index + (from_orig ? 0 : kLetterCount)));
  if ((flow.history_seen & bit) != 0) return;
  flow.history_seen |= bit;
  if (flow.history_len < flow.history.size()) {
    flow.history[flow.history_len++] =
        from_orig ? letter : static_cast<char>(std::tolower(static_cast<unsigned char>(letter)));
  }
}

}  // namespace

void RecordHistory(Flow& flow, bool from_orig, uint8_t tcp_flags, bool has_data) {
  if (flow.protocol != kProtoTcp) {
    if (flow.protocol == kProtoUdp && has_data) Append(flow, from_orig, 'D');
    return;
  }
  const bool syn = (tcp_flags & kTcpSyn) != 0;
  const bool ack = (tcp_flags & kTcpAck) != 0;
  const bool fin = (tcp_flags & kTcpFin) != 0;
  const bool rst = (tcp_flags & kTcpRst) != 0;
  if (syn) Append(flow, from_orig, ack ? 'H' : 'S');
  if (has_data) {
    Append(flow, from_orig, 'D');
  } else if (ack && !syn && !fin && !rst) {
    Append(flow, from_orig, 'A');
  }
  if (fin) Append(flow, from_orig, 'F');
  if (rst) Append(flow, from_orig, 'R');
}

void RecordFlip(Flow& flow) {
  if (flow.history_len < flow.history.size()) flow.history[flow.history_len++] = '^';
}

bool HistorySeen(const Flow& flow, bool from_orig, char letter) {
  const int index = LetterIndex(letter);
  if (index < 0) return false;
  return (flow.history_seen & (1u << (index + (from_orig ? 0 : kLetterCount)))) != 0;
}

std::string_view ConnState(const Flow& f) {
  if (f.protocol != kProtoTcp) return f.resp.packets > 0 ? "SF" : "S0";
  const bool o_syn = HistorySeen(f, true, 'S');
  const bool r_synack = HistorySeen(f, false, 'H') || HistorySeen(f, false, 'S');
  const bool o_fin = HistorySeen(f, true, 'F'), r_fin = HistorySeen(f, false, 'F');
  const bool o_rst = HistorySeen(f, true, 'R'), r_rst = HistorySeen(f, false, 'R');
  if (o_syn) {
    if (!r_synack) {
      if (r_rst) return "REJ";
      if (o_rst) return "RSTOS0";
      if (o_fin) return "SH";
      return "S0";
    }
    if (o_rst) return "RSTO";
    if (r_rst) return "RSTR";
    if (o_fin && r_fin) return "SF";
    if (o_fin) return "S2";
    if (r_fin) return "S3";
    return "S1";
  }
  if (HistorySeen(f, false, 'H')) {
    if (r_rst) return "RSTRH";
    if (r_fin) return "SHR";
  }
  return "OTH";
}

}  // namespace vigil::network
