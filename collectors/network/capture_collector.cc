#include "capture_collector.h"

#include <poll.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <memory>
#include <utility>

#include "network_options.h"
#include "network_metrics.h"
#include "packet_processor.h"
#include "vigil/log.h"

namespace vigil::network {
namespace {

constexpr int kDrainBatches = 64;

struct CaptureOptions {
  std::string interface;
  int snaplen = 262144;
  bool promiscuous = true;
  int buffer_size = 32 << 20;
  std::chrono::milliseconds timeout{100};
  int batch = 512;
  NetworkOptions network;
};

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

int64_t WallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Adds the increase of a wrapping 32-bit counter to a 64-bit total.
void Widen(uint32_t now, uint32_t& last, uint64_t& total) {
  total += static_cast<uint32_t>(now - last);
  last = now;
}

class CaptureCollector : public Collector {
 public:
  explicit CaptureCollector(CaptureOptions options) : o_(std::move(options)) {}

  Status Run(CollectorContext& ctx) override {
    auto ids = GlobalNetworkFields();
    if (!ids.ok()) return ids.status();
    char err[PCAP_ERRBUF_SIZE] = {};
    PcapHandle pcap(pcap_create(o_.interface.c_str(), err));
    if (!pcap) return Status::IoError("capture on " + o_.interface + ": " + err);
    pcap_t* p = pcap.get();
    (void)pcap_set_snaplen(p, o_.snaplen);
    (void)pcap_set_promisc(p, o_.promiscuous ? 1 : 0);
    (void)pcap_set_buffer_size(p, o_.buffer_size);
    (void)pcap_set_timeout(p, static_cast<int>(o_.timeout.count()));
    (void)pcap_set_immediate_mode(p, 0);
    (void)pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);  // micro if refused
    const int activated = pcap_activate(p);
    if (activated < 0) {
      return Status::IoError("capture on " + o_.interface + ": " + pcap_statustostr(activated) +
                             " " + pcap_geterr(p));
    }
    if (activated > 0) {
      VIGIL_LOG(kWarning) << "capture on " << o_.interface << ": " << pcap_statustostr(activated);
    }
    const int64_t scale = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
    if (!o_.network.bpf.empty()) {
      bpf_program program{};
      if (pcap_compile(p, &program, o_.network.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        return Status::InvalidArgument("bpf filter on " + o_.interface + ": " + pcap_geterr(p));
      }
      const int set = pcap_setfilter(p, &program);
      pcap_freecode(&program);
      if (set != 0) return Status::IoError("bpf filter on " + o_.interface + ": " + pcap_geterr(p));
    }
    if (pcap_setnonblock(p, 1, err) != 0) return Status::IoError("capture nonblock: " + std::string(err));
    const int fd = pcap_get_selectable_fd(p);
    if (fd < 0) return Status::FailedPrecondition("capture on " + o_.interface + ": no selectable fd");

    PacketProcessor processor(LinkTypeFromDlt(pcap_datalink(p)), o_.network.flows, ctx,
                              o_.interface, *ids, o_.network.redaction);
    struct Batch {
      PacketProcessor* processor;
      int64_t scale;
    } batch{&processor, scale};
    auto handler = [](u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
      auto* b = reinterpret_cast<Batch*>(user);
      const int64_t ts = FrameTimeNs(h->ts.tv_sec, h->ts.tv_usec, b->scale);
      (void)b->processor->Frame(ts, bytes, h->caplen, h->len);
    };

    uint32_t last_recv = 0, last_drop = 0, last_ifdrop = 0;
    uint64_t gaps_reported = 0;
    auto poll_stats = [&] {
      pcap_stat st{};
      if (pcap_stats(p, &st) != 0) return;
      Widen(st.ps_recv, last_recv, stats_.received);
      Widen(st.ps_drop, last_drop, stats_.dropped);
      Widen(st.ps_ifdrop, last_ifdrop, stats_.if_dropped);
      metrics_.PublishKernel(stats_.received, stats_.dropped, stats_.if_dropped);
      // Packets the kernel or the interface dropped before capture: a coverage gap.
      const uint64_t lost = stats_.dropped + stats_.if_dropped;
      if (lost > gaps_reported) ctx.CountGaps(lost - gaps_reported);
      gaps_reported = std::max(gaps_reported, lost);
    };
    Status result;
    auto last_stats = std::chrono::steady_clock::now();
    while (!ctx.stopping()) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {ctx.stop_fd(), POLLIN, 0}};
      const int ready = poll(fds, 2, static_cast<int>(o_.timeout.count()));
      if (ready < 0 && errno != EINTR) {
        result = Status::FromErrno("poll on capture " + o_.interface, errno);
        break;
      }
      if (ctx.stopping()) break;
      const int n = pcap_dispatch(p, o_.batch, handler, reinterpret_cast<u_char*>(&batch));
      if (n < 0) {
        result = Status::IoError("capture on " + o_.interface + ": " + pcap_geterr(p));
        break;
      }
      if (n == 0) processor.AdvanceTo(WallNs());
      metrics_.Publish(processor);
      if (std::chrono::steady_clock::now() - last_stats > std::chrono::seconds(1)) {
        poll_stats();
        last_stats = std::chrono::steady_clock::now();
      }
    }
    // What the kernel still holds (bounded: traffic does not stop for us), then every flow.
    for (int i = 0; i < kDrainBatches; ++i) {
      if (pcap_dispatch(p, o_.batch, handler, reinterpret_cast<u_char*>(&batch)) <= 0) break;
    }
    poll_stats();
    processor.Flush();
    metrics_.Publish(processor);
    VIGIL_LOG(kInfo) << "capture: " << processor.Summary() << "; kernel: " << stats_.received
                     << " received, " << stats_.dropped << " dropped, " << stats_.if_dropped
                     << " dropped by the interface";
    return result;
  }

  void WriteMetrics(MetricWriter& out, const std::string& instance) const override {
    metrics_.Write(out, instance, /*live=*/true);
  }

 private:
  CaptureOptions o_;
  CaptureStats stats_;
  NetworkMetrics metrics_;
};

}  // namespace

Status CaptureCollectorFactory::DeclareFields(FieldRegistry& fields) const {
  return DeclareNetworkFields(fields).status();
}

Result<std::unique_ptr<Collector>> CaptureCollectorFactory::Create(ConfigSection& section,
                                                                   const CollectorEnv& env) const {
  const size_t errors_before = section.diagnostics().error_count();
  CaptureOptions o;
  o.interface = section.RequiredString("interface");
  o.snaplen = static_cast<int>(section.Int("snaplen", o.snaplen, 64, 262144));
  o.promiscuous = section.Bool("promiscuous", o.promiscuous);
  o.buffer_size = static_cast<int>(section.Int("buffer_size", o.buffer_size, 1 << 16, 1 << 30));
  o.batch = static_cast<int>(section.Int("batch", o.batch, 1, 65536));
  const auto timeout = section.DurationValue("timeout", o.timeout);
  if (timeout < std::chrono::milliseconds(1) || timeout > std::chrono::seconds(10)) {
    section.BadValue("timeout", "must be between 1ms and 10s");
  } else {
    o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
  }
  o.network = ReadNetworkOptions(section, env);
  section.Finish();
  if (section.diagnostics().error_count() > errors_before) {
    return Status::InvalidArgument("invalid capture collector configuration");
  }
  return std::unique_ptr<Collector>(std::make_unique<CaptureCollector>(std::move(o)));
}

VIGIL_REGISTER_COLLECTOR(CaptureCollectorFactory);

}  // namespace vigil::network
