// The detectors that need history across sessions: beaconing, repeated dead drops (one client,
// and Drafts shared by two), AUTH abuse per client and per user, and SMTP uploads far above the
// host's own history. They run on the control-plane thread over the SessionSummary records every
// worker sends when a session ends — a client's sessions land on different workers, so only the
// control plane sees them all. Single-threaded, bounded LRU tables keyed by hashes, capture time
// only (works the same offline and live, over hours). Unit-testable without DPDK: feed summaries,
// collect EVE lines.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "detect/detect_config.hpp"
#include "detect/detector_alert.hpp"
#include "detect/session_summary.hpp"

namespace postern::detect {

using LineOut = std::function<void(std::string_view line)>;

// Which of a summary's keys this process owns. Alone on one box, both. Sharded (docs/scale-out.md)
// a session's client and its account may live on different consumers: the client's shard runs the
// detectors keyed by the client (beaconing, dead drops, AUTH per client, SMTP size), the user's
// shard those keyed by the account (Drafts shared by two clients, AUTH per user). Opaque uploads
// (upload_asymmetry across sessions) are keyed by client.
enum HistoryRole : uint8_t { kClientRole = 1, kUserRole = 2, kBothRoles = 3 };

struct HistoryStats {
    uint64_t summaries = 0;
    uint64_t malformed = 0;
    uint64_t evictions = 0;  // keys pushed out of a full table (all tables)
    std::array<uint64_t, kDetectors> alerts{};
};

class HistoryDetectors {
public:
    explicit HistoryDetectors(const DetectConfig &config);
    ~HistoryDetectors();
    HistoryDetectors(const HistoryDetectors &) = delete;
    HistoryDetectors &operator=(const HistoryDetectors &) = delete;

    // One session ended; alerts are rendered as EVE lines (the summary's flow and endpoints).
    void on_summary(const SessionSummary &s, const LineOut &out, uint8_t roles = kBothRoles);
    // The raw record body from the event channel.
    void on_record(std::string_view body, const LineOut &out);
    void count_malformed() { ++stats_.malformed; }  // a record that was no summary

    HistoryStats stats() const;

private:
    struct Tables;
    void emit(const SessionSummary &s, const DetectorAlert &a, const LineOut &out);

    std::unique_ptr<Tables> tables_;  // each table keeps its part of the config
    std::unique_ptr<char[]> buf_;
    HistoryStats stats_;
};

}  // namespace postern::detect
