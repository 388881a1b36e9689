// The rules' place in a worker's event chain: parsers → RuleStage → the EVE sink. Runs the
// matcher over every field and header the parsers report (MatchingSink), with the session's
// MatchState, and lets end-of-transaction alerts carry the transaction they are about.
#pragma once

#include "inspect/rule_alerts.hpp"
#include "rules/matching_sink.hpp"

namespace postern::inspect {

class RuleStage final : public proto::EventSink {
public:
    RuleStage(rules::Matcher &matcher, RuleAlerts &alerts, proto::EventSink &next)
        : alerts_(alerts), matching_(matcher, alerts, &next) {}

    // The session the next events belong to (null: match nothing), and its current packet.
    void set_session(rules::MatchState *state) { matching_.set_session(state); }
    void set_context(const rules::MatchContext &ctx) { matching_.set_context(ctx); }

    void on_anomaly(std::string_view name) override { matching_.on_anomaly(name); }
    void on_field(proto::Field field, std::string_view value) override { matching_.on_field(field, value); }
    void on_header(std::string_view name, std::string_view value) override { matching_.on_header(name, value); }
    void on_command(proto::Protocol protocol, std::string_view verb) override { matching_.on_command(protocol, verb); }
    void on_reply(proto::Protocol protocol, std::string_view status) override { matching_.on_reply(protocol, status); }
    void on_auth(proto::Protocol protocol, std::string_view mechanism, std::string_view user,
                 proto::AuthResult result) override {
        matching_.on_auth(protocol, mechanism, user, result);
    }
    void on_starttls(proto::Protocol protocol) override { matching_.on_starttls(protocol); }
    void on_transaction(const proto::SmtpTransaction &tx) override { finish(tx); }
    void on_transaction(const proto::Pop3Transaction &tx) override { finish(tx); }
    void on_transaction(const proto::ImapTransaction &tx) override { finish(tx); }

private:
    template <class Tx>
    void finish(const Tx &tx) {
        alerts_.set_transaction(&tx);
        matching_.on_transaction(tx);
        alerts_.set_transaction({});
    }

    RuleAlerts &alerts_;
    rules::MatchingSink matching_;
};

}  // namespace postern::inspect
