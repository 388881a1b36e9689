// An EventSink decorator that runs the per-session detectors over what a parser reports and
// passes every event on to the next sink. Same style as rules::MatchingSink: one per worker,
// pointed at the session's SessionState (kept in its app-layer slot) before a parser is fed.
// Alerts about a message are handed out just before its transaction, so they carry its app-layer
// object; session-wide ones (asymmetry, non-conformance) when the session ends, which also sends
// the SessionSummary for the control plane's history detectors.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "detect/detect_config.hpp"
#include "detect/detector_alert.hpp"
#include "detect/session_state.hpp"
#include "detect/session_summary.hpp"
#include "proto/events.hpp"

namespace postern::detect {

// The transaction an alert belongs to (at most one is set).
struct AppObject {
    const proto::SmtpTransaction *smtp = nullptr;
    const proto::Pop3Transaction *pop3 = nullptr;
    const proto::ImapTransaction *imap = nullptr;
};

// Where alerts and summaries go: the worker renders alerts as EVE for the current flow and
// queues summaries for the control plane.
class DetectorOutput {
public:
    virtual void on_detector_alert(const DetectorAlert &alert, const AppObject &app) = 0;
    virtual void on_session_summary(const SessionSummary &summary) = 0;

protected:
    ~DetectorOutput() = default;
};

// What the flow knows when its session ends.
struct SessionEnd {
    uint64_t flow_id = 0;
    uint64_t start_ns = 0;
    uint64_t end_ns = 0;
    uint64_t decided_ns = 0;  // the worker's clock now (SessionSummary::decided_ns)
    uint64_t bytes_toserver = 0;  // application bytes
    uint64_t bytes_toclient = 0;
    output::EveEndpoints endpoints;
    std::string_view in_iface;
    proto::Protocol protocol = proto::Protocol::Unknown;
    bool handshake = false;
};

class DetectingSink final : public proto::EventSink {
public:
    DetectingSink(const DetectConfig &config, DetectorOutput &out, proto::EventSink *next = nullptr)
        : config_(config), out_(out), next_(next) {}

    void set_next(proto::EventSink *next) { next_ = next; }
    void set_session(SessionState *state) { state_ = state; }
    // The session ends: waiting alerts, session-wide detectors, then the summary. `state` is null
    // for sessions without a parser (TLS): only the summary goes out.
    void finish_session(SessionState *state, const SessionEnd &end);

    const std::array<uint64_t, kDetectors> &alerts() const { return alerts_; }

    // EventSink, as every stage of the chain declares it: detect, then pass the event on.
    void on_anomaly(const proto::AnomalyEvent &anomaly) override;
    void on_field(proto::Field field, std::string_view value) override;
    void on_header(std::string_view name, std::string_view value) override;
    void on_command(const proto::CommandEvent &command) override;
    void on_reply(proto::Protocol protocol, std::string_view status) override;
    void on_auth(proto::Protocol protocol, std::string_view mechanism, std::string_view user,
                 proto::AuthResult result) override;
    void on_starttls(proto::Protocol protocol) override;
    void on_part_end(const proto::MimePartEnd &part) override;
    uint32_t on_file_begin(const proto::FileBegin &file) override { return next_ ? next_->on_file_begin(file) : 0; }
    void on_file_data(uint32_t handle, const uint8_t *data, size_t len) override {
        if (next_) next_->on_file_data(handle, data, len);
    }
    void on_file(const proto::FileEvent &file) override { if (next_) next_->on_file(file); }
    void on_transaction(const proto::SmtpTransaction &tx) override;
    void on_transaction(const proto::Pop3Transaction &tx) override;
    void on_transaction(const proto::ImapTransaction &tx) override;

private:
    void emit(const DetectorAlert &a, const AppObject &app);  // now, once per detector and session
    void defer(const DetectorAlert &a);  // with the session's next transaction
    void flush(const AppObject &app, bool gap);  // gap: the transaction lost bytes
    void set_user(std::string_view user);

    const DetectConfig &config_;
    DetectorOutput &out_;
    proto::EventSink *next_;
    SessionState *state_ = nullptr;
    std::array<uint64_t, kDetectors> alerts_{};
};

}  // namespace postern::detect
