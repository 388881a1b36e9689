#include "control_plane.hpp"

#include <thread>

#include <chrono>
#include <cstdio>

#include <boost/asio/post.hpp>

#include <rte_cycles.h>

#include "config/listen_address.hpp"
#include "control_plane_loop.hpp"
#include "signals.hpp"

namespace postern::dataplane {

using json = nlohmann::ordered_json;
using clock = std::chrono::steady_clock;

namespace {
// How long an idle loop waits before looking at the channels again.
constexpr std::chrono::milliseconds kDrainPeriod{1};
constexpr size_t kDrainBudget = 4096;  // records per channel per pass
// Session summaries held for time order while a worker lags (about 64 MiB at worst); past it the
// earliest goes to the history detectors at once (counted).
constexpr size_t kMaxHeldSummaries = 1u << 18;
}  // namespace


ControlPlane::ControlPlane(const config::Config &config, SharedState &shared, output::EveFile &eve,
                           std::vector<StartedPort> ports, std::vector<std::unique_ptr<RxLcore>> &rx,
                           std::vector<std::unique_ptr<Worker>> &workers,
                           std::vector<std::unique_ptr<pipeline::EventChannel>> &channels, RuleReloader &rules)
    : config_(config), shared_(shared), eve_(eve), ports_(std::move(ports)), rx_(rx), workers_(workers),
      channels_(channels), rules_(rules), worker_done_(channels.size(), false),
      summaries_(workers.size(), kMaxHeldSummaries), start_tsc_(rte_rdtsc()),
      start_unix_(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()),
      loop_(std::make_unique<Loop>(*this)) {}

ControlPlane::~ControlPlane() = default;

void ControlPlane::start_api() {
    const auto addr = config::parse_listen_address(config_.api.listen).address;
    if (!addr) return;
    const std::string host = addr->host.find(':') != std::string::npos ? "[" + addr->host + "]" : addr->host;
    if (std::string e = loop_->server.listen(addr->host, addr->port); !e.empty()) {
        std::fprintf(stderr, "postern: api.listen: %s; running without the HTTP API\n", e.c_str());
        return;
    }
    std::fprintf(stderr, "control plane listening on http://%s:%u\n", host.c_str(), loop_->server.port());
    std::fflush(stderr);
}

// Channel w < workers is worker w's; the RX lcores' follow (decoder anomalies only).
size_t ControlPlane::drain_all() {
    size_t total = 0;
    for (size_t w = 0; w < channels_.size(); ++w) {
        const bool worker = w < workers_.size();
        const uint64_t worker_clock = worker ? workers_[w]->summary_clock() : 0;  // before the drain
        const size_t n = channels_[w]->drain(
            [&](pipeline::RecordKind kind, uint8_t tag, std::string_view body) {
                if (kind == pipeline::RecordKind::Done) {
                    worker_done_[w] = true;
                    if (worker) summaries_.finish(w);
                } else if (kind == pipeline::RecordKind::Eve) {
                    if (tag < output::kEveTypes) ++events_by_type_[tag];
                    if (tag == static_cast<uint8_t>(output::EveType::Alert)) alerts_.push(body), alert_tally_.add(body);
                    if (config_.eve_type_enabled(tag)) eve_.write_line(body);
                } else if (kind == pipeline::RecordKind::Summary && worker) {
                    if (const auto s = detect::summary_from_bytes(body)) summaries_.add(w, *s);
                    else history_.count_malformed();
                }
            },
            kDrainBudget);
        if (worker && n < kDrainBudget) summaries_.advance(w, worker_clock);  // drained: nothing older is left
        total += n;
    }
    summaries_.release([this](const detect::SessionSummary &s, uint8_t) { run_history(s); });
    if (publisher_ && summaries_.horizon() != ~uint64_t{0}) publisher_->clock(summaries_.horizon());
    return total;
}

void ControlPlane::run_history(const detect::SessionSummary &s) {
    if (publisher_) publisher_->publish(s);
    if (publisher_ && !config_.history_share.local) return;
    history_.on_summary(s, [&](std::string_view alert) {
        ++events_by_type_[static_cast<size_t>(output::EveType::Alert)];
        alerts_.push(alert), alert_tally_.add(alert);
        if (config_.eve_type_enabled(static_cast<unsigned>(output::EveType::Alert))) eve_.write_line(alert);
    });
}

// One pass of the loop: signals, channels, the API's pending work, stats; then either the end of
// the run, another pass at once (there was data), or a short wait.
void ControlPlane::tick() {
    auto &sig = signal_flags();
    if (sig.stop.load(std::memory_order_relaxed)) shared_.stop.store(true, std::memory_order_relaxed);
    if (sig.reopen_logs.exchange(false)) reopen_due_ = clock::now();
    if (reopen_due_ && clock::now() >= *reopen_due_) {
        eve_.flush();
        if (eve_.reopen()) {
            reopen_due_.reset();
        } else {  // keep writing to the old file; try again in a second
            std::fprintf(stderr, "postern: SIGHUP: output.eve_log: %s; still writing to the old file, retrying\n",
                         eve_.error().c_str());
            reopen_due_ = clock::now() + std::chrono::seconds(1);
        }
    }
    if (sig.reload_rules.exchange(false) && !rules_.reload_files())
        std::fprintf(stderr, "postern: SIGUSR2: a rule reload is already in progress\n");
    rules_.poll();
    const size_t drained = drain_all();
    loop_->api.poll();
    if (config_.stats_interval && clock::now() >= loop_->next_stats) {
        write_stats();
        loop_->next_stats += std::chrono::seconds(config_.stats_interval);
    }
    bool all_done = true;
    for (bool d : worker_done_) all_done = all_done && d;
    if (all_done && drain_all() == 0) return finish();  // Done is each worker's last record
    if (drained) return boost::asio::post(loop_->ioc, [this] { tick(); });  // lets HTTP in between
    eve_.flush();
    loop_->drain_timer.expires_after(kDrainPeriod);
    loop_->drain_timer.async_wait([this](const boost::system::error_code &ec) {
        if (!ec) tick();
    });
}

void ControlPlane::finish() {
    summaries_.release_all([this](const detect::SessionSummary &s, uint8_t) { run_history(s); });
    if (publisher_) publisher_->end(summaries_.horizon());
    end_tsc_ = rte_rdtsc();
    finished_ = true;
    // The workers sent their files' Done before their events' Done: the writer ends soon after.
    while (file_writer_ && !file_writer_->ended()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    write_stats();
    eve_.flush();
    loop_->api.cancel_pending();
    loop_->server.stop();  // the loop returns once the connections have closed
}

void ControlPlane::run() {
    loop_->next_stats = clock::now() + std::chrono::seconds(config_.stats_interval);
    boost::asio::post(loop_->ioc, [this] { tick(); });
    loop_->ioc.run();
}

double ControlPlane::uptime_seconds() const {
    const uint64_t now_tsc = end_tsc_ ? end_tsc_ : rte_rdtsc();
    return static_cast<double>(now_tsc - start_tsc_) / static_cast<double>(rte_get_tsc_hz());
}

std::string ControlPlane::not_ready_reason() const {
    if (finished_ || shared_.stop.load(std::memory_order_relaxed)) return "shutting down";
    if (!rules_.files().empty() && rules_.version() == 0) return "no rule set loaded";
    return "";
}

void ControlPlane::write_stats() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    char ts[32];
    const size_t n = output::format_timestamp(
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()), ts);
    json rec = {{"timestamp", std::string(ts, n)}, {"event_type", "stats"}, {"stats", stats_json()}};
    if (config_.eve_type_enabled(static_cast<unsigned>(output::EveType::Stats))) eve_.write_line(rec.dump());
    ++events_by_type_[static_cast<size_t>(output::EveType::Stats)];
}

RunSummary ControlPlane::summary() const {
    RunSummary s;
    for (const auto &r : rx_) {
        s.packets += r->counters().packets, s.bytes += r->counters().bytes, s.ring_drops += r->counters().ring_drops;
        for (size_t i = 1; i < r->counters().decode.size(); ++i) s.not_inspected += r->counters().decode[i];
    }
    for (const auto &w : workers_) s.flows += w->counters().flows_created, s.event_drops += w->counters().event_drops;
    s.events_by_type = events_by_type_;
    s.alerts_by_signature = alert_tally_.rows();
    s.seconds = uptime_seconds();
    if (redis_) {
        const output::RedisCounters &r = redis_->counters();
        s.redis_target = redis_->target();
        s.redis_sent = r.sent, s.redis_not_sent = r.dropped + r.lost + r.errors;
    }
    if (publisher_) {
        const output::RedisCounters &r = publisher_->counters();
        s.share_target = publisher_->target();
        s.share_summaries = publisher_->summaries(), s.share_not_sent = r.dropped + r.lost + r.errors;
    }
    if (file_writer_) {
        const FileStoreTotals f = file_store_totals();
        s.file_store = true;
        s.files_stored = f.stored, s.files_duplicate = f.duplicate, s.files_not_stored = f.not_stored();
    }
    return s;
}

}  // namespace postern::dataplane
