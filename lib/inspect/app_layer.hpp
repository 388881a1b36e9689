// The application layer of one worker: identifies each TCP session's protocol from its first
// bytes (on any port) and runs the matching mail parser over the ordered payload. Parser state
// lives in a pool of fixed-size slots allocated at start (app.max_sessions_per_worker); a flow
// holds a slot while it is being identified or parsed. No allocation per packet or per flow.
#pragma once

#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

#include "detect/detecting_sink.hpp"
#include "inspect/eve_event_sink.hpp"
#include "rules/matching_sink.hpp"
#include "proto/detect/protocol_detector.hpp"
#include "proto/imap/imap_parser.hpp"
#include "proto/pop3/pop3_parser.hpp"
#include "proto/smtp/smtp_parser.hpp"
#include "stream/direction.hpp"

namespace postern::inspect {

inline constexpr uint32_t kNoSlot = UINT32_MAX;

enum class AppStatus : uint8_t {
    None,         // no payload yet
    Detecting,    // the detector holds the first bytes
    Parsing,      // a parser owns the session
    Opaque,       // identified but not parsed further (TLS)
    Failed,       // no known protocol in the first bytes
    NotInspected, // no free slot when the payload started
    Reclaimed,    // its slot went to a new session after it sat idle (or one-sided) too long
};

// What a flow keeps about its application layer (a few bytes in the flow table).
struct AppFlowState {
    uint32_t slot = kNoSlot;
    proto::Protocol protocol = proto::Protocol::Unknown;
    AppStatus status = AppStatus::None;
    int8_t first_dir = -1;  // the direction whose payload came first
    // The parser's session finished a TLS handshake after STARTTLS/STLS, as of its last input: kept
    // here so the per-packet bypass check does not reach into the parser's slot.
    bool tls_established = false;
    uint16_t server_port = 0;
    uint32_t seen[2] = {0, 0};  // payload bytes offered while detecting, per direction
};

struct AppLimits {
    uint32_t max_sessions = 1024;
    // With no free slot, a new session takes the slot of one idle this long (ns, capture time),
    // or of one that showed payload in one direction only for one_sided_timeout_ns.
    uint64_t idle_timeout_ns = 120'000'000'000;
    uint64_t one_sided_timeout_ns = 30'000'000'000;
    proto::SmtpLimits smtp;
    proto::Pop3Limits pop3;
    proto::ImapLimits imap;
};

class AppLayer {
public:
    // Parsers report to `parser_events` (the head of the worker's event chain, ending in `sink`);
    // `rules`, when given, is pointed at each session's match state before its parser runs, and
    // `detectors` at its detector state (both are links of the chain).
    AppLayer(const AppLimits &limits, EveEventSink &sink, proto::EventSink &parser_events, rules::MatchingSink *rules = nullptr,
             detect::DetectingSink *detectors = nullptr);
    explicit AppLayer(const AppLimits &limits, EveEventSink &sink) : AppLayer(limits, sink, sink) {}
    ~AppLayer();
    AppLayer(const AppLayer &) = delete;
    AppLayer &operator=(const AppLayer &) = delete;

    void on_data(AppFlowState &f, stream::Direction dir, const uint8_t *data, size_t len);
    void on_gap(AppFlowState &f, stream::Direction dir, uint32_t len);
    void on_end(AppFlowState &f, stream::Direction dir);
    // An anomaly of the flow that no parser saw (a stream event): through the same chain as the
    // parsers' (detectors, rules, EVE), with the session's state when it has a slot.
    void report_anomaly(AppFlowState &f, const proto::AnomalyEvent &anomaly);
    // The session upgraded with STARTTLS/STLS and both sides have spoken TLS records since: from
    // here on nothing can be parsed (a flow bypass may skip it).
    static bool tls_established(const AppFlowState &f) {
        return f.slot != kNoSlot && f.status == AppStatus::Parsing && f.tls_established;
    }
    // The flow is gone: ends an open parser's directions if needed and frees the slot. With `end`
    // the detectors decide the session and send its summary.
    void release(AppFlowState &f, const detect::SessionEnd *end = nullptr);

    uint32_t slots_in_use() const { return in_use_; }
    uint64_t slots_reclaimed() const { return reclaimed_; }
    uint32_t capacity() const { return static_cast<uint32_t>(slots_.size()); }

private:
    struct Slot;
    void detect(AppFlowState &f, Slot &s, stream::Direction dir, const uint8_t *data, size_t len);
    void conclude(AppFlowState &f, Slot &s);
    void start_parser(AppFlowState &f, Slot &s);
    void free_slot(AppFlowState &f);
    // A slot for a new session when none is free: the stalest idle or one-sided session's.
    bool reclaim(uint64_t now_ns);
    Slot &enter(uint32_t slot);  // points the per-session stages at the slot

    AppLimits limits_;
    EveEventSink &sink_;
    proto::EventSink &parser_events_;
    rules::MatchingSink *rules_;
    detect::DetectingSink *detectors_;
    std::vector<std::unique_ptr<Slot>> slots_;  // allocated once
    std::vector<uint32_t> free_;
    uint32_t in_use_ = 0;
    uint64_t reclaimed_ = 0;
};

}  // namespace postern::inspect
