// An EventSink that runs the rules over what a parser reports and passes every event on to the
// next sink (the worker's EVE sink). Alerts for a transaction are handed out before the
// transaction itself is passed on. Used by the rule tests; the worker can put one in front of its
// own sink, pointing it at the session's MatchState before feeding a parser.
#pragma once

#include "proto/events.hpp"
#include "rules/matcher.hpp"

namespace postern::rules {

class MatchingSink final : public proto::EventSink {
public:
    MatchingSink(Matcher &matcher, MatchSink &out, proto::EventSink *next = nullptr)
        : matcher_(matcher), out_(out), next_(next) {}

    // The session the next events belong to, and the time and endpoints of its current packet.
    void set_session(MatchState *state) { state_ = state; }
    void set_context(const MatchContext &ctx) { ctx_ = ctx; }

    void on_anomaly(std::string_view name) override;
    void on_field(proto::Field field, std::string_view value) override;
    void on_header(std::string_view name, std::string_view value) override;
    void on_command(proto::Protocol protocol, std::string_view verb) override;
    void on_reply(proto::Protocol protocol, std::string_view status) override;
    void on_auth(proto::Protocol protocol, std::string_view mechanism, std::string_view user,
                 proto::AuthResult result) override;
    void on_starttls(proto::Protocol protocol) override;
    void on_transaction(const proto::SmtpTransaction &tx) override;
    void on_transaction(const proto::Pop3Transaction &tx) override;
    void on_transaction(const proto::ImapTransaction &tx) override;

private:
    void end(const TransactionFacts &facts);

    Matcher &matcher_;
    MatchSink &out_;
    proto::EventSink *next_;
    MatchState *state_ = nullptr;
    MatchContext ctx_;
};

}  // namespace postern::rules
