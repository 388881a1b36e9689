#include "rules/metrics.hpp"

#include <string>

#include "proto/imap/imap_transaction.hpp"
#include "proto/mime/email_message.hpp"
#include "proto/pop3/pop3_transaction.hpp"
#include "proto/smtp/smtp_transaction.hpp"

namespace postern::rules {

std::optional<Metric> parse_metric(std::string_view name) {
    for (size_t i = 0; i < kMetricCount; ++i)
        if (kMetricNames[i] == name) return static_cast<Metric>(i);
    return std::nullopt;
}

std::string_view known_metric_names() {
    static const std::string names = [] {
        std::string s;
        for (std::string_view n : kMetricNames) s += (s.empty() ? "" : ", ") + std::string(n);
        return s;
    }();
    return names;
}

void add_message_facts(TransactionFacts &facts, const proto::EmailMessage &m) {
    facts.set(Metric::EmailSize, m.size);
    facts.set(Metric::EmailHeaderCount, m.header_count);
    facts.set(Metric::EmailXHeaderCount, m.x_header_count);
    facts.set(Metric::EmailToCount, m.to.total);
    facts.set(Metric::EmailCcCount, m.cc.total);
    facts.set(Metric::EmailPartCount, m.parts.total);
    facts.set(Metric::EmailAttachmentCount, m.attachment_count());
}

TransactionFacts facts_for(const proto::SmtpTransaction &tx) {
    TransactionFacts f;
    f.transaction = &tx;
    f.set(Metric::SmtpRcptCount, tx.rcpt_to.total);
    f.set(Metric::SmtpRcptRejected, tx.rcpt_rejected);
    if (tx.declared_size) f.set(Metric::SmtpDeclaredSize, tx.declared_size);
    if (tx.has_message) add_message_facts(f, tx.message);
    return f;
}

TransactionFacts facts_for(const proto::Pop3Transaction &tx) {
    TransactionFacts f;
    f.transaction = &tx;
    if (tx.has_message) add_message_facts(f, tx.message);
    return f;
}

TransactionFacts facts_for(const proto::ImapTransaction &tx) {
    TransactionFacts f;
    f.transaction = &tx;
    if (tx.message) add_message_facts(f, *tx.message);
    return f;
}

}  // namespace postern::rules
