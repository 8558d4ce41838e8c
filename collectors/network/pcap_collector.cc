#include "pcap_collector.h"

#include <pcap/pcap.h>

#include <memory>
#include <utility>

#include "network_options.h"
#include "network_metrics.h"
#include "packet_processor.h"
#include "vigil/log.h"

namespace vigil::network {
namespace {

constexpr uint64_t kStopCheckEvery = 4096;

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

class PcapCollector : public Collector {
 public:
  PcapCollector(std::string path, NetworkOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}

  Status Run(CollectorContext& ctx) override {
    auto ids = GlobalNetworkFields();
    if (!ids.ok()) return ids.status();
    char err[PCAP_ERRBUF_SIZE] = {};
    PcapHandle pcap(
        pcap_open_offline_with_tstamp_precision(path_.c_str(), PCAP_TSTAMP_PRECISION_NANO, err));
    if (!pcap) return Status::IoError("open " + path_ + ": " + err);
    if (!options_.bpf.empty()) {
      bpf_program program{};
      if (pcap_compile(pcap.get(), &program, options_.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        return Status::InvalidArgument("bpf filter for " + path_ + ": " + pcap_geterr(pcap.get()));
      }
      const int set = pcap_setfilter(pcap.get(), &program);
      pcap_freecode(&program);
      if (set != 0) return Status::IoError("bpf filter for " + path_ + ": " + pcap_geterr(pcap.get()));
    }

    PacketProcessor processor(LinkTypeFromDlt(pcap_datalink(pcap.get())), options_.flows, ctx,
                              path_, *ids, options_.redaction);
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    while (true) {
      const int r = pcap_next_ex(pcap.get(), &header, &data);
      if (r == PCAP_ERROR_BREAK) break;  // end of file
      if (r < 0) {
        ctx.Skip(path_, std::string("capture file damaged after packet ") +
                            std::to_string(processor.counters().packets) + ": " +
                            pcap_geterr(pcap.get()));
        break;
      }
      if (r == 0) continue;
      const int64_t ts = FrameTimeNs(header->ts.tv_sec, header->ts.tv_usec, 1);
      if (!processor.Frame(ts, data, header->caplen, header->len)) {
        metrics_.Publish(processor);
        return Status::Ok();
      }
      if (processor.counters().packets % kStopCheckEvery == 0) {
        metrics_.Publish(processor);
        if (ctx.stopping()) break;
      }
    }
    processor.Flush();
    metrics_.Publish(processor);
    VIGIL_LOG(kInfo) << "pcap: " << processor.Summary();
    return Status::Ok();
  }

  void WriteMetrics(MetricWriter& out, const std::string& instance) const override {
    metrics_.Write(out, instance, /*live=*/false);
  }

 private:
  std::string path_;
  NetworkOptions options_;
  NetworkMetrics metrics_;
};

}  // namespace

Status PcapCollectorFactory::DeclareFields(FieldRegistry& fields) const {
  return DeclareNetworkFields(fields).status();
}

Result<std::unique_ptr<Collector>> PcapCollectorFactory::Create(ConfigSection& section,
                                                                const CollectorEnv& env) const {
  const size_t errors_before = section.diagnostics().error_count();
  std::string path = section.RequiredString("path");
  NetworkOptions options = ReadNetworkOptions(section, env);
  section.Finish();
  if (section.diagnostics().error_count() > errors_before) {
    return Status::InvalidArgument("invalid pcap collector configuration");
  }
  return std::unique_ptr<Collector>(
      std::make_unique<PcapCollector>(std::move(path), std::move(options)));
}

VIGIL_REGISTER_COLLECTOR(PcapCollectorFactory);

}  // namespace vigil::network
