// AlertRouter: where every alert goes after the rule engine — the store, the audit log,
// then the outputs.
//
//   engine thread ── Submit(alert) ──▶ bounded queue ──▶ writer thread:
//        lock audit log, bring the store up to date, give each alert its id,
//        append its audit record, apply it to the store, sync the log (and sign a
//        checkpoint when due), commit the store, then hand the alert to `deliver`.
//
// Alerts reach the outputs only once they are durable, each with its store id. A
// suppression summary is merged into the alert that opened its window (the count grows;
// a "suppressed" record is appended) rather than stored as a second alert.
//
// When the queue is full Submit() waits (the engine slows and the collectors' queue absorbs
// or counts drops there), so no alert is lost between engine and store; the waits are
// counted. If the store or the audit log fails, the batch is retried; after the retries the
// alerts still go to the outputs and are counted as unpersisted, and the error is logged.
//
// Run records (run_start, ruleset, coverage, run_stop: store/run_records.h) go the same way
// as alerts, so a report knows which rules were in force and what the collectors saw.
//
// Threading: Submit from one thread (the engine); RecordRun from the owner's thread; Stop
// from any thread once; WriteMetrics from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "store/alert_store.h"
#include "vigil/event_consumer.h"
#include "vigil/metric_writer.h"
#include "vigil/rules/alert.h"

namespace vigil {

struct RouterOptions {
  std::string store_path;  // <state_dir>/vigil.db
  audit::AuditLogOptions audit;
  std::string host_name;
  size_t queue_capacity = 65536;
  size_t batch = 512;
  std::chrono::seconds keep{0};  // prune resolved alerts older than this (0: keep forever)
  // The time stamped on the records it writes (an alert's `created`, audit record times);
  // empty: the wall clock. `vigil replay --now T` fixes it to T. Called on the writer thread.
  std::function<Timestamp()> clock;
};

// What the outputs receive: the stored alert (id), the alert, its JSON with the id.
using AlertDelivery = std::function<void(uint64_t id, const Alert& alert, const std::string& json)>;

// The alert JSON with `vigil.alert.id` set (and for a merged summary, the opener's id).
std::string AlertJsonWithId(const Alert& alert, uint64_t id);

class AlertRouter {
 public:
  ~AlertRouter();
  AlertRouter(const AlertRouter&) = delete;
  AlertRouter& operator=(const AlertRouter&) = delete;

  // Opens (creating) the store and the audit log, repairs a torn log tail, applies to the
  // store what the log holds beyond it, and starts the writer thread.
  static Result<std::unique_ptr<AlertRouter>> Open(const RouterOptions& options, AlertDelivery deliver);

  void Submit(const Alert& alert);
  // Queues a run record (store/run_records.h) for the writer thread, which appends it after
  // the alerts submitted before it. "run_start" begins a run; the records after it get its
  // sequence number as "run".
  void RecordRun(std::string type, nlohmann::json data);
  // Calls `done` on the writer thread once every alert submitted before it is stored and in
  // the audit log (synced); never if one of them could not be stored. In submission order.
  // Any thread.
  void Barrier(std::function<void()> done);
  // Persists and delivers everything queued, signs a final checkpoint, stops the thread.
  void Stop();

  uint64_t persisted() const { return persisted_.load(std::memory_order_relaxed); }
  void WriteMetrics(MetricWriter& out) const;

 private:
  // A run record, or (done set) a barrier.
  struct PendingRecord {
    uint64_t after_alerts = 0;
    std::string type;
    nlohmann::json data;
    std::function<void()> done;
  };
  AlertRouter(RouterOptions options, AlertDelivery deliver);
  Timestamp Now() const;  // options_.clock, else the wall clock
  void Run();
  void Process(std::deque<Alert>& batch);
  Status Persist(std::deque<Alert>& batch, std::vector<std::pair<uint64_t, std::string>>& ids);
  Status PersistRunRecords(std::deque<PendingRecord>& records);
  Status Tick(bool final_checkpoint);  // time-based checkpoint, pruning, handling stats
  void RefreshHandling();

  RouterOptions options_;
  AlertDelivery deliver_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<store::AlertStore> store_;  // writer thread only
  int64_t next_id_ = 1;

  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<Alert> queue_;
  // Run records wait here, each with the number of alerts submitted before it, so the
  // writer appends alerts and records in the order they were handed over.
  std::deque<PendingRecord> run_records_;
  uint64_t submitted_ = 0, taken_ = 0;  // alerts ever queued / taken by the writer
  int64_t run_id_ = 0;  // writer thread
  bool lost_alerts_ = false;  // writer thread: an alert could not be stored; barriers stop
  bool stopping_ = false;
  std::thread thread_;
  std::chrono::steady_clock::time_point last_tick_{}, last_prune_{}, last_handling_{};

  std::atomic<uint64_t> persisted_{0}, merged_{0}, unpersisted_{0}, errors_{0}, waits_{0}, pruned_{0}, duplicates_{0};
  std::atomic<uint64_t> depth_{0};
  mutable std::mutex handling_mu_;
  store::HandlingStats handling_;  // guarded by handling_mu_
};

// The last consumer of the daemon's chain, after the rule engine (whose alerts for the
// events before a barrier are submitted by then): passes collectors' barriers to the router.
class AlertBarrier : public EventConsumer {
 public:
  explicit AlertBarrier(AlertRouter& router) : router_(router) {}
  void Consume(Event&) override {}
  void Barrier(std::function<void()> done) override { router_.Barrier(std::move(done)); }

 private:
  AlertRouter& router_;
};

}  // namespace vigil
