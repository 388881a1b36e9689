// The history detectors HistoryDetectors runs, one file each. Each sees every SessionSummary and
// returns true with an alert when it fires; each owns one or two bounded tables.
#pragma once

#include <cstdint>

#include "detect/detect_config.hpp"
#include "detect/detector_alert.hpp"
#include "detect/history_table.hpp"
#include "detect/session_summary.hpp"

namespace postern::detect {

// Time from `earlier` to `later`; 0 when `later` is older. Summaries from several workers arrive
// slightly out of order, and an older one must count as inside a window, not wrap around.
inline uint64_t elapsed_ns(uint64_t later, uint64_t earlier) { return later > earlier ? later - earlier : 0; }

inline constexpr uint64_t kNsPerS = 1000000000ull;

// Up to N capture times, oldest first, with the time of the last alert about them.
template <size_t N>
struct TimeRing {
    uint64_t t[N] = {};
    uint32_t n = 0;
    uint64_t last_alert = 0;
    // Keeps the list sorted (summaries from several workers arrive slightly out of order); when
    // full the oldest goes.
    void insert(uint64_t ts) {
        if (n == N) {
            if (ts <= t[0]) return;
            for (uint32_t i = 1; i < N; ++i) t[i - 1] = t[i];
            --n;
        }
        uint32_t i = n++;
        for (; i > 0 && t[i - 1] > ts; --i) t[i] = t[i - 1];
        t[i] = ts;
    }
    uint32_t since(uint64_t from) const {
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; ++i) k += t[i] >= from;
        return k;
    }
};

class BeaconDetector {  // beacon.cpp
public:
    BeaconDetector(const BeaconConfig &c, uint32_t keys) : c_(c), table_(keys) {}
    bool observe(const SessionSummary &s, DetectorAlert &out);
    uint64_t evictions() const { return table_.evictions(); }

private:
    const BeaconConfig &c_;
    HistoryTable<TimeRing<32>> table_;
};

class DeadDropDetector {  // dead_drop.cpp
public:
    DeadDropDetector(const DeadDropConfig &c, uint32_t keys) : c_(c), table_(keys) {}
    bool observe(const SessionSummary &s, DetectorAlert &out);
    uint64_t evictions() const { return table_.evictions(); }

private:
    const DeadDropConfig &c_;
    HistoryTable<TimeRing<16>> table_;
};

class DraftsDetector {  // drafts.cpp
public:
    DraftsDetector(const DeadDropConfig &c, uint32_t keys) : c_(c), table_(keys) {}
    bool observe(const SessionSummary &s, DetectorAlert &out);
    uint64_t evictions() const { return table_.evictions(); }

    struct State {
        static constexpr int kClients = 4;
        uint64_t client[kClients] = {};
        uint64_t last_append[kClients] = {};
        uint64_t last_pickup[kClients] = {};
        uint64_t window_start = 0;
        uint64_t last_alert = 0;
        uint32_t exchanges = 0;
    };

private:
    const DeadDropConfig &c_;
    HistoryTable<State> table_;
};

class AuthAbuseDetector {  // auth_abuse.cpp
public:
    AuthAbuseDetector(const AuthAbuseConfig &c, uint32_t keys) : c_(c), by_client_(keys), by_user_(keys) {}
    // The two scopes are separate calls: a sharded history runs each where it owns the key.
    bool observe_client(const SessionSummary &s, DetectorAlert &out);
    bool observe_user(const SessionSummary &s, DetectorAlert &out);
    uint64_t evictions() const { return by_client_.evictions() + by_user_.evictions(); }

    struct State {
        uint64_t window_start = 0;
        uint64_t first_client = 0;  // by user: the window's first client, to tell several apart
        uint32_t failures = 0;
        uint32_t sessions = 0;
        bool several_clients = false;
    };

private:
    bool count(State &st, const SessionSummary &s, uint64_t client_hash);
    void describe(const char *scope, const State &fired, const SessionSummary &s, DetectorAlert &out) const;
    const AuthAbuseConfig &c_;
    HistoryTable<State> by_client_;
    HistoryTable<State> by_user_;
};

class OpaqueUploadDetector {  // opaque_upload.cpp
public:
    OpaqueUploadDetector(const AsymmetryConfig &c, uint32_t keys) : c_(c), table_(keys) {}
    bool observe(const SessionSummary &s, DetectorAlert &out);
    uint64_t evictions() const { return table_.evictions(); }

    struct State {
        uint64_t window_start = 0;
        uint64_t bytes = 0;
        uint32_t sessions = 0;
    };

private:
    const AsymmetryConfig &c_;
    HistoryTable<State> table_;
};

class SmtpSizeDetector {  // smtp_size.cpp
public:
    SmtpSizeDetector(const SmtpSizeConfig &c, uint32_t keys) : c_(c), table_(keys) {}
    bool observe(const SessionSummary &s, DetectorAlert &out);
    uint64_t evictions() const { return table_.evictions(); }

    struct State {
        static constexpr uint32_t kKept = 16;
        uint64_t sizes[kKept] = {};
        uint32_t count = 0;  // sessions seen (the last kKept are kept)
    };

private:
    const SmtpSizeConfig &c_;
    HistoryTable<State> table_;
};

}  // namespace postern::detect
