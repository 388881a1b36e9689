// The rules' link in a worker's event chain (parsers → detectors → MatchingSink → EVE sink): runs
// the matcher over every field and header a parser reports, with the session's MatchState, and
// passes every event on. Alerts decided at a transaction's end carry it (RuleMatch::transaction)
// and are handed out before the transaction itself is passed on. The rule tests use it alone.
#pragma once

#include "proto/events.hpp"
#include "rules/matcher.hpp"

namespace postern::rules {

class MatchingSink final : public proto::EventSink {
public:
    // `context`: the time and endpoints of the packet being processed, kept current by the owner
    // (the worker's flow context); none in rule tests (time 0, no addresses).
    MatchingSink(Matcher &matcher, MatchSink &out, proto::EventSink *next = nullptr,
                 const MatchContext *context = nullptr)
        : matcher_(matcher), out_(out), next_(next), ctx_(context ? *context : kNoContext) {}

    // The session the next events belong to (null: match nothing).
    void set_session(MatchState *state) { state_ = state; }

    // EventSink, as every stage of the chain declares it (detect::DetectingSink, inspect::EveEventSink):
    // one interface, each stage adds its part and passes the event on.
    void on_anomaly(const proto::AnomalyEvent &anomaly) override;
    void on_field(proto::Field field, std::string_view value) override;
    void on_header(std::string_view name, std::string_view value) override;
    void on_command(const proto::CommandEvent &command) override;
    void on_reply(proto::Protocol protocol, std::string_view status) override;
    void on_auth(proto::Protocol protocol, std::string_view mechanism, std::string_view user,
                 proto::AuthResult result) override;
    void on_starttls(proto::Protocol protocol) override;
    // Files: says whether a rule with "filestore" selected them (or still may), for extraction.
    uint32_t on_file_begin(const proto::FileBegin &file) override;
    void on_file_data(uint32_t handle, const uint8_t *data, size_t len) override {
        if (next_) next_->on_file_data(handle, data, len);
    }
    void on_file(const proto::FileEvent &file) override;
    void on_transaction(const proto::SmtpTransaction &tx) override;
    void on_transaction(const proto::Pop3Transaction &tx) override;
    void on_transaction(const proto::ImapTransaction &tx) override;

private:
    void end(const TransactionFacts &facts);

    Matcher &matcher_;
    MatchSink &out_;
    proto::EventSink *next_;
    MatchState *state_ = nullptr;
    const MatchContext &ctx_;
    static constexpr MatchContext kNoContext{};
};

}  // namespace postern::rules
