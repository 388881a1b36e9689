#include "rules/matching_sink.hpp"

namespace postern::rules {

void MatchingSink::on_anomaly(const proto::AnomalyEvent &anomaly) {
    if (next_) next_->on_anomaly(anomaly);
}

void MatchingSink::on_field(proto::Field field, std::string_view value) {
    if (state_) matcher_.on_field(*state_, ctx_, field, value, out_);
    if (next_) next_->on_field(field, value);
}

void MatchingSink::on_header(std::string_view name, std::string_view value) {
    if (state_) matcher_.on_header(*state_, ctx_, name, value, out_);
    if (next_) next_->on_header(name, value);
}

void MatchingSink::on_command(const proto::CommandEvent &command) {
    if (next_) next_->on_command(command);
}

void MatchingSink::on_reply(proto::Protocol protocol, std::string_view status) {
    if (next_) next_->on_reply(protocol, status);
}

void MatchingSink::on_auth(proto::Protocol protocol, std::string_view mechanism, std::string_view user,
                           proto::AuthResult result) {
    if (next_) next_->on_auth(protocol, mechanism, user, result);
}

void MatchingSink::on_starttls(proto::Protocol protocol) {
    if (next_) next_->on_starttls(protocol);
}

void MatchingSink::end(const TransactionFacts &facts) {
    if (state_) matcher_.end_transaction(*state_, ctx_, facts, out_);
}

void MatchingSink::on_transaction(const proto::SmtpTransaction &tx) {
    end(facts_for(tx));
    if (next_) next_->on_transaction(tx);
}

void MatchingSink::on_transaction(const proto::Pop3Transaction &tx) {
    end(facts_for(tx));
    if (next_) next_->on_transaction(tx);
}

void MatchingSink::on_transaction(const proto::ImapTransaction &tx) {
    end(facts_for(tx));
    if (next_) next_->on_transaction(tx);
}

uint32_t MatchingSink::on_file_begin(const proto::FileBegin &file) {
    if (!next_) return 0;
    proto::FileBegin f = file;
    if (state_) f.store_rule = state_->filestore_rule();
    f.rules_may_select = matcher_.set() && matcher_.set()->has_filestore_rules();
    return next_->on_file_begin(f);
}

void MatchingSink::on_file(const proto::FileEvent &file) {
    if (!next_) return;
    proto::FileEvent f = file;
    if (state_) f.store_rule = state_->filestore_rule();
    next_->on_file(f);
}

}  // namespace postern::rules
